// --pair-series remote-write against a real Prometheus (Debian's, --web.enable-remote-write-receiver), a
// real Pushgateway and real iperf3: consecutive runner processes cut by --max-pairs or by --deadline
// cover every pair within ⌈pairs ÷ tests per run⌉ runs, never-measured first, with the state read back from Prometheus
// (each run is a new process: nothing survives but what the servers hold), and the Pushgateway ends up
// with no per-pair series at all — the groups an earlier pushgateway-mode run left are deleted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, type RealPrometheus } from '../support/prometheus.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import type { JsonReport } from '../../src/output/json-report.ts';
import { remoteWrite, resultSamples, skipSamples } from '../../src/push/remote-write.ts';
import { readQueryState } from '../../src/push/query-state.ts';
import { prometheusQuery } from '../../src/push/prometheus-query.ts';
import { previousKey } from '../../src/push/previous-results.ts';
import type { Network, PairResult, Server } from '../../src/model/types.ts';

let prom: RealPrometheus;
let gateway: RealPushgateway;
let iperf: Iperf3Server;
/** One server per node, for runs at the collision-free parallelism (one test out of and one into every node). */
let perNode: Iperf3Server[] = [];
let dir = '';
before(async () => {
  [prom, gateway, iperf] = await Promise.all([
    startPrometheus({ targets: [], ruleFiles: [], flags: ['--web.enable-remote-write-receiver'] }),
    startPushgateway(),
    startIperf3Server(),
  ]);
  perNode = await Promise.all(NODES.map(() => startIperf3Server()));
  dir = mkdtempSync(join(tmpdir(), 'pair-series-'));
});
after(async () => {
  iperf?.stop();
  for (const server of perNode) server.stop();
  await Promise.all([prom?.stop(), gateway?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const NODES = ['p1', 'p2', 'p3', 'p4'];
const ALL_PAIRS = NODES.flatMap((source) => NODES.filter((node) => node !== source).map((destination) => `${source}>${destination}`));

/** `separate`: each node its own server, concurrency auto; else one server for all, one test at a time. */
async function run(job: string, extra: string[], separate = false): Promise<string[]> {
  const targets = join(dir, 'targets.json');
  const port = (index: number) => (separate ? perNode[index]! : iperf).port;
  writeFileSync(targets, JSON.stringify(NODES.map((node, index) => ({ node, ip: '127.0.0.1', port: port(index) }))));
  const client = ['--client-command', 'env NODE={node} iperf3', '--concurrency', separate ? 'auto' : '1', '--duration', '1'];
  const args = ['run', '--targets', targets, ...client];
  const common = [...args, '--omit', '0', '--interference', 'off', '--job', job, '--pushgateway', gateway.url, '--output', 'json'];
  const result = await runCli([...common, ...extra], {}, 120_000);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as JsonReport;
  return report.pairs.filter((pair) => pair.status === 'success').map((pair) => `${pair.source_node}>${pair.destination_node}`);
}

describe('--pair-series remote-write', () => {
  test('consecutive runs cut by --max-pairs cover every pair within ⌈12 ÷ 5⌉ = 3 runs; the Pushgateway holds no pair series', async () => {
    ensureBuilt();
    const job = 'pair-sink';
    const first = await run(job, ['--max-pairs', '2']); // today's mode: two source groups with pair series
    assert.equal(first.length, 2);
    assert.ok((await gateway.groups()).some((group) => group.job === job && group.source_node !== undefined));
    const rw = ['--remote-write', `${prom.url}/api/v1/write`, '--pair-series', 'remote-write', '--max-pairs', '5'];
    const runs: string[][] = [];
    for (let index = 0; index < 3; index++) {
      runs.push(await run(job, rw));
      const text = await gateway.metrics();
      assert.doesNotMatch(text, /destination_node=/, 'no per-pair series in the Pushgateway');
      assert.deepEqual(
        (await gateway.groups()).filter((group) => group.job === job),
        [{ job }],
        'only the run group is left',
      );
      assert.match(text, /^iperf_node_bandwidth_mbps\{.*node="p1".*\} \d/m, 'per-node aggregates stay');
      assert.match(text, /^iperf_coverage_pairs\{.*job="pair-sink".*\} 12$/m);
    }
    assert.deepEqual(
      runs.map((tested) => tested.length),
      [5, 5, 5],
    );
    assert.equal(new Set([...runs[0]!, ...runs[1]!]).size, 10, 'the second run tests none of the first');
    assert.deepEqual([...new Set(runs.flat())].sort(), [...ALL_PAIRS].sort(), 'every pair within 3 runs');
    const left = ALL_PAIRS.filter((pair) => !runs[0]!.includes(pair) && !runs[1]!.includes(pair));
    assert.deepEqual(runs[2]!.slice(0, 2).sort(), left.sort(), 'never-measured first');
    assert.match(await gateway.metrics(), /^iperf_coverage_pairs_unmeasured\{.*job="pair-sink".*\} 0$/m);
    const stored = await prom.query(`count(last_over_time(iperf_test_timestamp_seconds{job="${job}"}[1h]))`);
    assert.equal(stored[0]?.value[1], '12', 'the receiver holds every pair');
  });
});

describe('--pair-series remote-write with a --deadline cut', () => {
  test('every pair is measured within ⌈12 ÷ the fewest tests a run made⌉ runs', async () => {
    ensureBuilt();
    const rw = ['--remote-write', `${prom.url}/api/v1/write`, '--pair-series', 'remote-write', '--deadline', '3'];
    const covered = new Set<string>();
    const sizes: number[] = [];
    while (covered.size < ALL_PAIRS.length && sizes.length < 12) {
      const tested = await run('pair-sink-deadline', rw, true);
      assert.ok(tested.length > 0 && tested.length < ALL_PAIRS.length, `the deadline cuts the run: ${tested.length} tests`);
      sizes.push(tested.length);
      for (const pair of tested) covered.add(pair);
    }
    const bound = Math.ceil(ALL_PAIRS.length / Math.min(...sizes));
    assert.equal(covered.size, ALL_PAIRS.length);
    assert.ok(sizes.length <= bound, `covered after ${sizes.length} runs (tests per run ${sizes.join(', ')}), bound ${bound}`);
  });
});

describe('the pair state read back from a real Prometheus', () => {
  const server = (node: string, network: Network = 'host'): Server => ({ node, ip: '127.0.0.1', port: 5201, network });
  const at = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const result = (source: string, destination: string, ok: boolean, finishedAt: number, network: Network = 'host'): PairResult =>
    ok
      ? {
          pair: { source: server(source, network), destination: server(destination, network), protocol: 'tcp' },
          status: 'success',
          measurement: { bandwidthMbps: 900 },
          attempts: 1,
          startedAt: finishedAt - 2000,
          finishedAt,
        }
      : {
          pair: { source: server(source), destination: server(destination), protocol: 'tcp' },
          status: 'failure',
          failure: { kind: 'timeout', message: 'no result' },
          attempts: 1,
          startedAt: finishedAt - 2000,
          finishedAt,
        };

  test('last measurement per pair, bandwidth only when the last test succeeded, judged-down skips with their time', async () => {
    const job = 'state.read';
    const results = [
      result('s.1', 's-2', true, at - 20_000),
      result('s-2', 's.1', true, at - 20_000),
      result('s-2', 's.1', false, at),
      result('s.1', 's-2', true, at - 10_000, 'pod'),
    ];
    const skipped: PairResult = {
      pair: { source: server('s-2'), destination: server('s-3'), protocol: 'tcp' },
      status: 'skipped',
      skipped: 'destination-down',
      attempts: 0,
      startedAt: 0,
      finishedAt: 0,
    };
    const write = (samples: Parameters<typeof remoteWrite>[2]) => remoteWrite(fetch, `${prom.url}/api/v1/write`, samples, 10_000);
    await write(resultSamples(results.slice(0, 2), job));
    await write([...resultSamples(results.slice(2), job), ...skipSamples([skipped], job, at)]);
    const query = prometheusQuery(fetch, prom.url, 10_000);
    const state = await readQueryState(query, { job, sources: ['s.1', 's-2', 's-3'], windowS: 3600, valuesWindowS: 3600 });
    const first = state.previous.get(previousKey('s.1', 's-2', 'tcp', 'host'));
    assert.equal(first?.timestamp, (at - 20_000) / 1000);
    assert.equal(first?.values.iperf_network_bandwidth_mbps, 900);
    // the same nodes over the pod network are another pair: its later test does not stand in for the host one
    const overPods = state.previous.get(previousKey('s.1', 's-2', 'tcp', 'pod'));
    assert.equal(overPods?.timestamp, (at - 10_000) / 1000);
    assert.equal(overPods?.network, 'pod');
    const failedLast = state.previous.get(previousKey('s-2', 's.1', 'tcp', 'host'));
    assert.equal(failedLast?.timestamp, at / 1000);
    assert.equal(failedLast?.values.iperf_network_bandwidth_mbps, undefined, 'a failure is no reading');
    assert.deepEqual([...state.judgedDown], [[previousKey('s-2', 's-3', 'tcp', 'host'), at / 1000]]);
    assert.equal(state.previous.size, 3, "the regex matches node names literally: 's.1' is not 's-1'");
  });

  test('an unreachable query API is a PushError naming it', async () => {
    const query = prometheusQuery(fetch, `${prom.url}/nope`, 5_000);
    await assert.rejects(
      query('up'),
      (error: Error) => error.name === 'PushError' && error.message.startsWith(`query ${prom.url}/nope/api/v1/query: HTTP 404`),
    );
  });
});
