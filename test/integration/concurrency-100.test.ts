// A cycle with 100 tests in flight, through the real CLI: a fixture client command (a script that
// waits a moment and prints a captured iperf3 result) stands in for 101 nodes, so 100 clients run at
// once on one machine. Nothing may add a listener per running test to a shared signal or emitter:
// Node would print MaxListenersExceededWarning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt, runCli } from '../support/cli.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

let dir: string;
before(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'concurrency-100-'));
  const capture = resolve('test/fixtures/iperf3/tcp.json');
  // Long enough for all 100 clients of the first round to overlap.
  writeFileSync(join(dir, 'client.sh'), `#!/bin/sh\nsleep 2\nexec cat ${capture}\n`);
  chmodSync(join(dir, 'client.sh'), 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('100 tests in flight at once: every one succeeds and no MaxListenersExceededWarning is printed', async () => {
  const nodes = Array.from({ length: 101 }, (_, i) => ({ node: `n${String(i).padStart(3, '0')}`, ip: `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  const targets = join(dir, 'targets.json');
  writeFileSync(targets, JSON.stringify(nodes));
  // The first rotation round (101 pairs, every node sending and receiving once) and a few more.
  const args = ['run', '--targets', targets, '--client-command', `${join(dir, 'client.sh')} {node}`, '--concurrency', '100', '--max-pairs', '200', '--output', 'json'];
  const r = await runCli(args, {}, 120_000);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(report.summary, { pairs: 200, success: 200, failure: 0, skipped: 0 });
  // 100 clients really ran together: some test's start was before 99 others had ended.
  const spans = report.pairs.map((p) => [Date.parse(p.started_at!), Date.parse(p.started_at!) + p.duration_s! * 1000] as const);
  const overlapping = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && e > start).length));
  assert.equal(overlapping, 100, 'tests in flight at the busiest moment');
  const warning = r.stderr.split('\n').find((line) => line.includes('MaxListenersExceededWarning'));
  assert.equal(warning, undefined);
});
