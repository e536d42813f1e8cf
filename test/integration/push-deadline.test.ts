// --push-deadline bounds the whole push, and a finished run exits even with a connection left open:
// the real CLI against a "Pushgateway" that accepts connections and never answers (a real TCP server).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, logLines, runCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

let dir: string;
let hung: Server;
let url: string;
const sockets: Socket[] = [];

before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'push-deadline-'));
  hung = createServer((socket) => sockets.push(socket)); // reads the request, never answers
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hung.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test('a Pushgateway that never answers holds the run no longer than --push-deadline (twice: read, push), then exit 1', async () => {
  const targets = join(dir, 'targets.json');
  writeFileSync(targets, JSON.stringify([{ node: 'a', ip: '127.0.0.1', port: await freePort() }]));
  const started = Date.now();
  // --push-timeout 120: each request alone would wait two minutes for an answer, four times with retries.
  const args = ['run', '--targets', targets, '--mode', 'star', '--source-node', 'x', '--busy-retries', '0', '--output', 'none'];
  const r = await runCli([...args, '--pushgateway', url, '--push-timeout', '120', '--push-deadline', '2'], {}, 60_000);
  const tookS = (Date.now() - started) / 1000;
  assert.equal(r.code, 1, r.stderr);
  const errors = logLines(r.stderr).filter((line) => line.level === 50);
  assert.deepEqual(
    errors.map((line) => line.err),
    ['the push did not finish within 2 s (--push-deadline): the groups not yet written keep their earlier results'],
  );
  const warned = logLines(r.stderr).find((line) => line.msg === 'cannot read earlier results from the Pushgateway; testing anyway');
  assert.equal(warned?.err, 'reading the earlier results did not finish within 2 s');
  // Two bounds of 2 s and one refused test; far below one request's own 120 s.
  assert.ok(tookS < 30, `the run took ${tookS} s`);
  assert.ok(sockets.length >= 2, 'the runner did connect');
});
