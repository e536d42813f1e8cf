import { planPairs } from '../../src/plan/pairs.ts';
import { runRegistry } from '../../src/metrics/registries.ts';
import { nodeAggregates } from '../../src/metrics/node-aggregates.ts';
import { encodeWriteRequest, remoteWrite, resultSamples, skipSamples, snappyBlock } from '../../src/push/remote-write.ts';
import { readQueryState } from '../../src/push/query-state.ts';
import { prometheusQuery } from '../../src/push/prometheus-query.ts';
import { startPrometheus } from '../support/prometheus.ts';
import type { PreviousPair } from '../../src/push/previous-results.ts';
import type { Pair, PairResult } from '../../src/model/types.ts';
import type { CycleSize } from '../../src/plan/sizing.ts';
import { startPushgateway } from '../support/pushgateway.ts';
import { servers } from './sim-iperf3.ts';

// What one run pushes to the Pushgateway, and sends by remote write, with each --pair-series mode, at
// the steady state of the scale section (every pair has a result; the run tested `testsPerRun` pairs and
// its deadline skipped the rest of the plan). Real registries (src/metrics/registries.ts) and the real
// remote-write encoder; the remote-write-only run group is PUT to a real prometheus-pushgateway and the
// series it then serves are counted. The per-pair source groups come from the payload bench (section 7);
// the run group's deadline skips (one iperf_test_skipped series per pair not tried, pushgateway and both
// modes) are rendered for up to 20 000 pairs and extrapolated.

export interface ModeCost {
  mode: 'pushgateway' | 'both' | 'remote-write';
  /** Exposition PUT to the Pushgateway per run, MB; and the series it then holds for this job. */
  gatewayMB: number;
  gatewaySeries: number;
  /** Remote-write body per run (protobuf, snappy literal blocks), MB; and its samples. */
  remoteWriteMB: number;
  remoteWriteSamples: number;
}

export interface PairSeriesCostRow {
  n: number;
  testsPerRun: number;
  modes: ModeCost[];
}

const SKIP_SAMPLE = 20_000;
const T0 = 1.7e12;

/** `sourceGroups`: the payload bench's figures for all N source groups (every pair with a result). */
export async function pairSeriesCost(n: number, testsPerRun: number, sourceGroups: { totalMB: number; series: number }): Promise<PairSeriesCostRow> {
  const planned = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const tested = planned.slice(0, testsPerRun).map((pair, index) => success(pair, index));
  const skippedCount = planned.length - tested.length;
  const skipped = planned.slice(testsPerRun, testsPerRun + Math.min(SKIP_SAMPLE, skippedCount)).map(deadlineSkip);
  const nodes = nodeAggregates(tested, earlier(planned));
  const size: CycleSize = { collisionFree: n, concurrency: n, rounds: 35, testsPerRun, runsToCover: Math.ceil(planned.length / testsPerRun), coveragePeriodS: 3600, runS: 210, periodKnown: true };
  const summary = { durationS: 210, servers: n, endedAt: T0 + 210_000, size, nodes, coverage: { pairs: planned.length, unmeasured: 0, measuredRatio: 1, oldestAgeS: 1800 } };
  const compact = await runRegistry([...tested, ...skipped], { ...summary, skipSeries: false }).metrics();
  const withSkips = await runRegistry([...tested, ...skipped], summary).metrics();
  const skipBytes = ((Buffer.byteLength(withSkips) - Buffer.byteLength(compact)) * skippedCount) / Math.max(1, skipped.length);
  const held = await heldSeries(compact);
  const rw = (results: PairResult[], extra = 0) => {
    const samples = [...resultSamples(results, 'iperf3-monitor'), ...skipSamples(results, 'iperf3-monitor', T0)];
    return { remoteWriteMB: snappyBlock(encodeWriteRequest(samples)).length / 2 ** 20, remoteWriteSamples: samples.length + extra };
  };
  const gatewayFull = {
    gatewayMB: sourceGroups.totalMB + (Buffer.byteLength(compact) + skipBytes) / 2 ** 20,
    gatewaySeries: sourceGroups.series + held + skippedCount,
  };
  return {
    n,
    testsPerRun,
    modes: [
      { mode: 'pushgateway', ...gatewayFull, remoteWriteMB: 0, remoteWriteSamples: 0 },
      { mode: 'both', ...gatewayFull, ...rw(tested) },
      { mode: 'remote-write', gatewayMB: Buffer.byteLength(compact) / 2 ** 20, gatewaySeries: held, ...rw(tested) },
    ],
  };
}

/** PUTs the run group to a real Pushgateway and counts the series it then serves for the job. */
async function heldSeries(body: string): Promise<number> {
  const gateway = await startPushgateway();
  try {
    const res = await fetch(`${gateway.url}/metrics/job/iperf3-monitor`, { method: 'PUT', body });
    if (!res.ok) throw new Error(`PUT the run group: HTTP ${res.status} ${await res.text()}`);
    const lines = (await gateway.metrics()).split('\n');
    return lines.filter((line) => line && !line.startsWith('#') && line.includes('job="iperf3-monitor"') && !/^push_(failure_)?time_seconds/.test(line)).length;
  } finally {
    await gateway.stop();
  }
}

function success(pair: Pair, index: number, finishedAt = T0 + 6123 + index): PairResult {
  return { pair, status: 'success', attempts: 1, startedAt: finishedAt - 6123, finishedAt, measurement: { bandwidthMbps: 9412.345678, retransmits: 12, rttSeconds: 0.000231 } };
}

function deadlineSkip(pair: Pair): PairResult {
  return { pair, status: 'skipped', skipped: 'deadline', attempts: 0, startedAt: 0, finishedAt: 0 };
}

function* earlier(planned: readonly Pair[]): Generator<PreviousPair> {
  for (const { source, destination, protocol } of planned) {
    yield { source: source.node, destination: destination.node, protocol, network: 'host', timestamp: T0 / 1000 - 600, values: { iperf_network_bandwidth_mbps: 9400 } };
  }
}

export interface StateReadRow {
  n: number;
  pairs: number;
  /** Writing every pair's last result (3 samples each) by remote write, s. */
  writeS: number;
  /** readQueryState for every source node (batches of 100 sources, 3 queries each), s. */
  readS: number;
  /** Heap the state map holds, MB. */
  heapMB: number;
}

/**
 * What --pair-series remote-write costs the next run: a real Prometheus (remote-write receiver) holding
 * the last result of every pair of an N-node mesh, and the real state read over its query API.
 */
export async function stateReadCost(n: number): Promise<StateReadRow> {
  const prom = await startPrometheus({ targets: [], ruleFiles: [], flags: ['--web.enable-remote-write-receiver'] });
  try {
    const now = Date.now() - 60_000;
    const planned = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
    let started = performance.now();
    for (let at = 0; at < planned.length; at += 5000) {
      const results = planned.slice(at, at + 5000).map((pair, index) => success(pair, index, now - 3_600_000 + at + index));
      const samples = resultSamples(results, 'iperf3-monitor').filter((sample) => WANTED.has(sample.labels.__name__!));
      await remoteWrite(fetch, `${prom.url}/api/v1/write`, samples, 120_000);
    }
    const writeS = (performance.now() - started) / 1000;
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    started = performance.now();
    const sources = servers(n).map((server) => server.node);
    const state = await readQueryState(prometheusQuery(fetch, prom.url, 120_000), { job: 'iperf3-monitor', sources, windowS: 7200, valuesWindowS: 7200 });
    const readS = (performance.now() - started) / 1000;
    const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    if (state.previous.size !== planned.length) throw new Error(`read back ${state.previous.size} pairs, wrote ${planned.length}`);
    return { n, pairs: planned.length, writeS, readS, heapMB };
  } finally {
    await prom.stop();
  }
}

const WANTED = new Set(['iperf_test_timestamp_seconds', 'iperf_test_success', 'iperf_network_bandwidth_mbps']);
