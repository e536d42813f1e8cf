// A node name that starts with "-" never reaches the client command as an option: the real CLI with
// a fixture client command (a tiny script that records the words it was given) and a targets file
// naming such a node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from '../support/cli.ts';

let dir: string;
before(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'node-name-option-'));
  // Stands for ssh: records its first word (where ssh reads options), prints nothing useful.
  writeFileSync(join(dir, 'client.sh'), `#!/bin/sh\necho "$1" >> "${join(dir, 'argv.log')}"\nexit 1\n`);
  chmodSync(join(dir, 'client.sh'), 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a targets file naming a node "-oProxyCommand=…" is refused (exit 2) before any client command runs', async () => {
  const targets = join(dir, 'targets.json');
  writeFileSync(targets, JSON.stringify([{ node: 'n1', ip: '127.0.0.1' }, { node: '-oProxyCommand=touch pwned', ip: '127.0.0.2' }]));
  const r = await runCli(['run', '--targets', targets, '--client-command', `${join(dir, 'client.sh')} {node} iperf3`, '--output', 'none']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr,
    `iperf3-monitor: --targets ${targets}: entry 2: "node" must not start with "-", got "-oProxyCommand=touch pwned": ` +
      'it would be read as an option by the client command (e.g. ssh)\n',
  );
  assert.equal(existsSync(join(dir, 'argv.log')), false, 'the client command ran');
});
