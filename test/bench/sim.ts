import { planPairs } from '../../src/plan/pairs.ts';
import { runSchedule } from '../../src/schedule/scheduler.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import { sourceRegistries } from '../../src/metrics/registries.ts';
import { expectedTestMs } from '../../src/iperf/client-args.ts';
import type { Pair, PairResult } from '../../src/model/types.ts';
import { gc, measure, median, type Cost } from './measure.ts';
import { CLEAN, FAULTY, SIM_D_MS, SIM_IPERF, SIM_TIMEOUT_MS, servers, simIperf3, type SimFaults } from './sim-iperf3.ts';

// Scale without a network: the real planner and scheduler on a virtual clock against the simulated
// iperf3. The cost baseline is the same simulated tests driven through the same virtual clock by a
// plain c-worker pool (no scheduler, no abort signal), measured in the same run: scheduler cost =
// total − baseline.

export const floorMs = (n: number, c: number, d = SIM_D_MS) => (c >= n ? (n - 1) * d : Math.ceil((n * (n - 1)) / c) * d);

export interface SimRow {
  n: number;
  c: number;
  faults: 'clean' | 'faulty';
  /** The simulated client passed the scheduler's abort signal to VirtualClock.sleep. */
  withSignal: boolean;
  tests: number;
  cycleS: number;
  floorS: number;
  ratio: number;
  /** Lower bound from the simulated durations of the tests this run made (see SimIperf3). */
  lowerBoundS: number;
  /** cycle / lower bound. */
  lbRatio: number;
  /** cycle / (floor + one test timeout): the faulty rows' budget. */
  timeoutRatio: number;
  success: number;
  failure: number;
  unreachable: number;
  cost: Cost;
  baseline: Cost;
  /** Scheduler CPU per test, µs: (total − baseline) / tests. */
  schedUsPerTest: number;
}

const opts = (c: number) => ({
  concurrency: c,
  exclusive: false,
  expectedMs: expectedTestMs(SIM_IPERF),
  policy: failurePolicy({ retries: 3 }), // as src/run/cycle.ts
});

export async function simCycle(n: number, c: number, faults: 'clean' | 'faulty', seed = 1, withSignal = false): Promise<SimRow> {
  const f: SimFaults = faults === 'clean' ? CLEAN : FAULTY(n);
  const pairs = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const run = await measure(async (sample) => {
    const clock = new VirtualClock(1.7e12);
    const sim = simIperf3(clock, n, f, seed, sample, withSignal);
    const results = await clock.run(runSchedule(pairs, opts(c), { clock, runTest: sim.runTest }));
    return { results, elapsed: clock.now() - 1.7e12, lb: sim.lowerBoundMs(c) };
  });
  const baseline = await measure(async (sample) => {
    const clock = new VirtualClock(1.7e12);
    const sim = simIperf3(clock, n, f, seed, sample, false);
    const signal = new AbortController().signal;
    let next = 0;
    const worker = async () => {
      while (next < pairs.length) await sim.runTest(pairs[next++]!, signal);
    };
    await clock.run(Promise.all(Array.from({ length: Math.min(c, pairs.length) }, worker)));
  });
  const rs = run.value.results;
  const floor = floorMs(n, c);
  const cycle = run.value.elapsed;
  const count = (p: (r: PairResult) => boolean) => rs.filter(p).length;
  return {
    n,
    c,
    faults,
    withSignal,
    tests: pairs.length,
    cycleS: cycle / 1000,
    floorS: floor / 1000,
    ratio: cycle / floor,
    lowerBoundS: run.value.lb / 1000,
    lbRatio: cycle / run.value.lb,
    timeoutRatio: cycle / (floor + SIM_TIMEOUT_MS),
    success: count((r) => r.status === 'success'),
    failure: count((r) => r.status === 'failure'),
    unreachable: count((r) => r.skipped === 'destination-down'),
    cost: run.cost,
    baseline: baseline.cost,
    schedUsPerTest: (Math.max(0, run.cost.cpuMs - baseline.cost.cpuMs) * 1000) / pairs.length,
  };
}

export interface PlanRow {
  n: number;
  pairs: number;
  planMs: number;
  /** Both protocols: 2·N(N−1) tests. */
  planBothMs: number;
}

/** Median of 3 plannings of a full mesh. */
export function planTime(n: number): PlanRow {
  const s = servers(n);
  const time = (protocols: ('tcp' | 'udp')[]) =>
    median(
      [0, 1, 2].map(() => {
        const t = performance.now();
        planPairs(s, { mode: 'mesh', protocols });
        return performance.now() - t;
      }),
    );
  return { n, pairs: n * (n - 1), planMs: time(['tcp']), planBothMs: time(['tcp', 'udp']) };
}

export interface PayloadRow {
  n: number;
  protocols: string;
  /** Exposition text of one source node's group (N−1 destinations), bytes. */
  groupBytes: number;
  samplesPerGroup: number;
  /** Building every group's registry and rendering it, ms. */
  buildMs: number;
  renderMs: number;
  /** All groups together, MB (what one run PUTs). */
  totalMB: number;
  groups: number;
  /** Heap held by the registries of all N groups, MB (extrapolated like the times). */
  heapMB: number;
}

/**
 * The push payload per source group, from the real registries: every pair succeeded with TCP
 * retransmits and RTT (and UDP jitter/loss), the largest group a run produces. For N = 1000 only a
 * sample of source groups is built and the total is extrapolated (say so in the table).
 */
export async function payload(n: number, protocols: ('tcp' | 'udp')[], maxGroups = Infinity): Promise<PayloadRow & { sampledGroups: number }> {
  const all = servers(n);
  const sources = all.slice(0, Math.min(n, maxGroups));
  const results: PairResult[] = [];
  const t0 = 1.7e12;
  for (const protocol of protocols) {
    for (const src of sources) {
      for (const dst of all) {
        if (dst === src) continue;
        const pair: Pair = { source: src, destination: dst, protocol };
        results.push({
          pair,
          status: 'success',
          attempts: 1,
          startedAt: t0,
          finishedAt: t0 + 6123,
          measurement:
            protocol === 'tcp'
              ? { bandwidthMbps: 9412.345678, retransmits: 12, rttSeconds: 0.000231 }
              : { bandwidthMbps: 99.998765, jitterMs: 0.012345, packets: 86301, lostPackets: 3 },
        });
      }
    }
  }
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  const regs = sourceRegistries(results);
  const buildMs = performance.now() - t;
  gc();
  const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  t = performance.now();
  let total = 0;
  let first = 0;
  for (const reg of regs.values()) {
    const text = await reg.metrics();
    if (!first) first = Buffer.byteLength(text);
    total += Buffer.byteLength(text);
  }
  const renderMs = performance.now() - t;
  const scale = n / sources.length;
  const firstText = await regs.values().next().value!.metrics();
  return {
    n,
    protocols: protocols.join('+'),
    groupBytes: first,
    samplesPerGroup: firstText.split('\n').filter((l) => l && !l.startsWith('#')).length,
    buildMs: buildMs * scale,
    renderMs: renderMs * scale,
    totalMB: (total * scale) / 2 ** 20,
    heapMB: Math.max(0, heapMB * scale),
    groups: n,
    sampledGroups: sources.length,
  };
}
