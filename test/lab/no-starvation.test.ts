import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

// No pair is starved, on a real 5-node lab (real iperf3 3.12, a real Pushgateway holding the only
// state): a --deadline that fits about half of the mesh cuts every run, and consecutive runs still
// measure every pair within ⌈pairs ÷ tests-per-run⌉ runs, because each run starts with the pairs
// the Pushgateway says were measured least recently. (Before, every run measured the same 10 of 20.)

const N = 5;
const PAIRS = N * (N - 1);
let lab: LabState;
let gw: RealPushgateway;
let runLog = '';

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: 'cvrot', nodes: N, nicMbit: 200, slow: [], port: 5201, pushgateway: false });
  gw = await startPushgateway();
});
after(async () => {
  await gw?.stop();
  await labDown('cvrot');
});

/** One run as the CronJob would start it: a new process, the deadline counted from its start. */
const run = async (...extra: string[]) => {
  // 1 s tests (1.5 s expected): about 2 of the 4 rounds fit in 3.5 s.
  const args = ['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '1', '--omit', '0'];
  const r = await runCli([...args, '--deadline', '3.5', '--pushgateway', gw.url, '--output', 'json', ...extra], {}, 60_000);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  runLog = r.stderr;
  return report.pairs.filter((p) => p.status !== 'skipped').map((p) => `${p.source_node}>${p.destination_node}`);
};

test('a deadline that fits half the mesh: every pair is measured within ⌈pairs ÷ tests-per-run⌉ runs', async () => {
  const seen = new Set<string>();
  const measured: string[][] = [];
  let bound = 3;
  for (let k = 1; k <= bound; k++) {
    const pairs = await run();
    measured.push(pairs);
    for (const p of pairs) seen.add(p);
    const perRun = Math.min(...measured.map((m) => m.length));
    assert.ok(perRun > 0, `run ${k} measured nothing: ${JSON.stringify(measured)}`);
    // The stated bound, from the fewest tests any run managed so far (a loaded machine fits fewer).
    bound = Math.max(bound, Math.min(6, Math.ceil(PAIRS / perRun)));
  }
  const log = measured.map((m, i) => `run ${i + 1}: ${m.length} [${m.join(' ')}]`).join('\n');
  assert.ok(measured[0]!.length < PAIRS, `the deadline must cut the first run short:\n${log}`);
  assert.equal(seen.size, PAIRS, `not every pair measured within ${bound} runs:\n${log}`);
  // The second run measured pairs the first did not reach before any it had measured.
  const first = new Set(measured[0]);
  const fresh = measured[1]!.filter((p) => !first.has(p)).length;
  assert.equal(fresh, Math.min(measured[1]!.length, PAIRS - first.size), `run 2 re-measured pairs while others waited:\n${log}`);
});

test('the run logs and pushes the cycle it can do, and warns when results would expire before their pair comes back', async () => {
  // ⌊3.5 s / 1.5 s⌋ = 2 rounds of 5 tests: 10 per run, 20 pairs in 2 runs, every 5 s: a 10 s period.
  await run('--run-interval', '5', '--max-result-age', '8');
  const text = await gw.metrics();
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*job="iperf3-monitor"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.deepEqual(
    [
      'iperf_cycle_concurrency',
      'iperf_cycle_tests_per_run',
      'iperf_cycle_runs_to_cover',
      'iperf_cycle_coverage_period_seconds',
      'iperf_coverage_pairs',
    ].map(value),
    [5, 10, 2, 10, 20],
  );
  assert.ok(value('iperf_coverage_measured_ratio') > 0 && value('iperf_coverage_measured_ratio') <= 1);
  assert.match(
    runLog,
    /coverage period 10 s is longer than --max-result-age 8 s: results expire before their pair is measured again; raise --max-result-age to at least 10/,
  );
});
