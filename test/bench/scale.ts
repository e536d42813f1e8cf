import { planPairs } from '../../src/plan/pairs.ts';
import { orderByStaleness } from '../../src/plan/staleness.ts';
import { cycleSize, resolveConcurrency } from '../../src/plan/sizing.ts';
import { planZoned, zonedCoverage } from '../../src/plan/zones.ts';
import { runOrder } from '../../src/plan/run-order.ts';
import { runSchedule } from '../../src/schedule/scheduler.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { expectedTestMs } from '../../src/iperf/client-args.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { Pair } from '../../src/model/types.ts';
import { measure } from './measure.ts';
import { CLEAN, SIM_D_MS, SIM_IPERF, servers, simIperf3 } from './sim-iperf3.ts';

// Coverage at scale with the chart's defaults: consecutive runs every I = 300 s, each cut by the
// chart's --deadline W = 210 s (80 % of the interval less 30 s), concurrency auto (N), 5 s + 1 s
// tests. Each run orders the real plan with the real orderByStaleness from the timestamps the earlier
// simulated runs left (as the Pushgateway holds them) and runs it with the real scheduler on the
// virtual clock against the simulated iperf3 (D = 6 s ± 5 %). Measured: tests per run, the run after
// which every pair has a result, the virtual wall time to that point, and the scheduler's heap.
// The floor: a run fits ⌊W/D⌋ rounds of N tests, so full coverage takes ⌈(N−1)/⌊W/D⌋⌉ runs at least.
//
// A shortcut keeps N = 1000 (a million pairs per run) affordable on a shared machine: the staleness
// order is taken per sender (the same order the global stable sort gives each sender's queue, which
// is all the scheduler reads), and each sender's queue is cut to the tests it could start before the
// deadline (⌊W/D_min⌋ + 1, D_min = D − 5 %). The cut lowers every sender's pending count by the same
// amount, so the scheduler's most-work-first choice is unchanged; only the order in which senders
// with equal work are visited may differ (measured: tests per run within 0.3 % of the uncut runs,
// the same runs to cover and time to cover for N = 100 and 300). Run 1 is not cut: it is the real
// runner's work (the whole plan, ordered and scheduled), and the heap column is its peak.

export const CHART = { intervalS: 300, deadlineS: 210 };

export interface ScaleRow {
  n: number;
  pairs: number;
  concurrency: number;
  /** Tests per run: the fewest any run made, and what the runner states at start (plan/sizing.ts). */
  testsPerRun: number;
  statedTestsPerRun: number;
  floorTestsPerRun: number;
  runsToCover: number;
  statedRuns: number;
  floorRuns: number;
  /** From the start of run 1 to the end of the run that covered the last pair. */
  wallToCoverS: number;
  floorWallS: number;
  /** Peak heap of run 1 (the whole plan ordered and scheduled, results), MB. */
  heapPeakMB: number;
  /** CPU per run (ordering + scheduling + the simulated clients), ms. */
  cpuPerRunMs: number;
}

export function floors(n: number, d = SIM_D_MS, { intervalS, deadlineS } = CHART) {
  const rounds = Math.floor((deadlineS * 1000) / d);
  const runs = Math.ceil((n - 1) / rounds);
  const lastRounds = n - 1 - (runs - 1) * rounds;
  return { rounds, tests: rounds * n, runs, wallS: (runs - 1) * intervalS + (lastRounds * d) / 1000 };
}

export async function scaleCoverage(n: number): Promise<ScaleRow> {
  const all = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const concurrency = resolveConcurrency({ kind: 'auto' }, n, 'mesh', false);
  const stated = cycleSize({
    nodes: n,
    pairs: all.length,
    mode: 'mesh',
    exclusive: false,
    concurrency: { kind: 'auto' },
    maxPairs: 0,
    testMs: expectedTestMs(SIM_IPERF),
    ...CHART,
  });
  const bySender = new Map<string, Pair[]>();
  for (const pair of all) {
    let list = bySender.get(pair.source.node);
    if (!list) bySender.set(pair.source.node, (list = []));
    list.push(pair);
  }
  const reach = Math.floor((CHART.deadlineS * 1000) / (SIM_D_MS * (1 - CLEAN.jitter))) + 1;
  const stamps = new Map<Pair, number>();
  const t0 = 1.7e12;
  let runsToCover = 0;
  let wallToCoverS = NaN;
  let testsPerRun = Infinity;
  let heapPeakMB = 0;
  let cpuMs = 0;
  const maxRuns = 3 * stated.runsToCover + 2;
  const options = (startedAt: number) => ({
    concurrency,
    exclusive: false,
    deadline: startedAt + CHART.deadlineS * 1000,
    expectedMs: expectedTestMs(SIM_IPERF),
    policy: failurePolicy({ retries: 3 }),
  });
  for (let run = 1; run <= maxRuns && runsToCover === 0; run++) {
    const startedAt = t0 + (run - 1) * CHART.intervalS * 1000;
    const { value: results, cost } = await measure(async (sample) => {
      if (run === 1) {
        const ordered = orderByStaleness(all, () => undefined);
        const clock = new VirtualClock(startedAt);
        const sim = simIperf3(clock, n, CLEAN, run, sample);
        const out = await clock.run(runSchedule(ordered, options(startedAt), { clock, runTest: sim.runTest }));
        sample();
        return out;
      }
      const queues = [...bySender.values()].map((pairs) => orderByStaleness(pairs, (pair) => stamps.get(pair)).slice(0, reach));
      const ordered: Pair[] = [];
      for (let k = 0; k < reach; k++) for (const queue of queues) if (k < queue.length) ordered.push(queue[k]!);
      const clock = new VirtualClock(startedAt);
      const sim = simIperf3(clock, n, CLEAN, run, sample);
      const out = await clock.run(runSchedule(ordered, options(startedAt), { clock, runTest: sim.runTest }));
      sample();
      return out;
    });
    if (run === 1) heapPeakMB = cost.heapPeakMB;
    cpuMs += cost.cpuMs;
    let tested = 0;
    let lastEnd = startedAt;
    for (const r of results) {
      if (r.status === 'skipped' || r.finishedAt <= 0) continue;
      tested++;
      stamps.set(r.pair, r.finishedAt / 1000);
      lastEnd = Math.max(lastEnd, r.finishedAt);
    }
    testsPerRun = Math.min(testsPerRun, tested);
    if (stamps.size === all.length) {
      runsToCover = run;
      wallToCoverS = (lastEnd - t0) / 1000;
    }
  }
  const floor = floors(n);
  return {
    n,
    pairs: all.length,
    concurrency,
    testsPerRun,
    statedTestsPerRun: stated.testsPerRun,
    floorTestsPerRun: Math.min(all.length, floor.tests),
    runsToCover,
    statedRuns: stated.runsToCover,
    floorRuns: floor.runs,
    wallToCoverS,
    floorWallS: floor.wallS,
    heapPeakMB,
    cpuPerRunMs: cpuMs / Math.max(1, runsToCover),
  };
}

export interface ZonedRow {
  n: number;
  zones: number;
  share: number;
  inZoneRuns: number;
  crossZoneRuns: number;
  statedInZoneRuns: number;
  statedCrossZoneRuns: number;
  inZoneWallS: number;
  crossZoneWallS: number;
  testsPerRun: number;
}

/**
 * The zoned plan (--cross-zone-share) on the same simulated runs: `zones` zones of equal size, the real
 * planZoned/orderZoned and scheduler; the runs after which every in-zone and every cross-zone pair has
 * a result, beside what plan/sizing.ts states for R = ⌊W/D⌋ rounds.
 */
export async function scaleZoned(n: number, zones: number, share: number): Promise<ZonedRow> {
  const size = Math.ceil(n / zones);
  const nodes = servers(n).map((server, index) => ({ ...server, zone: `zone-${Math.floor(index / size)}` }));
  const plan = planZoned(nodes, ['tcp']);
  const keyOf = (pair: Pair) => `${pair.source.node}>${pair.destination.node}`;
  const stamps = new Map<string, number>();
  // R as the runner counts it (plan/sizing.ts: D + 0.5 s per test), for the bound and the packing.
  const sizing = { nodes: n, pairs: n * (n - 1), mode: 'mesh' as const, exclusive: false, maxPairs: 0, testMs: expectedTestMs(SIM_IPERF) };
  const { rounds } = cycleSize({ ...sizing, concurrency: { kind: 'auto' }, ...CHART });
  const stated = zonedCoverage(rounds, { intra: plan.intra.length, cross: plan.cross.length }, share);
  const order = { mode: 'mesh' as const, protocols: ['tcp' as const], exclusive: false, crossZoneShare: share, maxPairs: 0, rounds };
  const t0 = 1.7e12;
  let inZoneRuns = 0;
  let crossZoneRuns = 0;
  let inZoneWallS = NaN;
  let crossZoneWallS = NaN;
  let testsPerRun = Infinity;
  const limit = 2 * Math.max(stated.inZoneRuns, stated.crossZoneRuns) + 2;
  for (let run = 1; run <= limit && (inZoneRuns === 0 || crossZoneRuns === 0); run++) {
    const startedAt = t0 + (run - 1) * CHART.intervalS * 1000;
    const clock = new VirtualClock(startedAt);
    const sim = simIperf3(clock, n, CLEAN, run, () => {});
    const ordered = runOrder(order, nodes, [], (pair) => stamps.get(keyOf(pair)));
    const options = {
      concurrency: n,
      exclusive: false,
      deadline: startedAt + CHART.deadlineS * 1000,
      expectedMs: expectedTestMs(SIM_IPERF),
      policy: failurePolicy({ retries: 3 }),
    };
    const results = await clock.run(runSchedule(ordered, options, { clock, runTest: sim.runTest }));
    let tested = 0;
    let lastEnd = startedAt;
    for (const r of results) {
      if (r.status === 'skipped' || r.finishedAt <= 0) continue;
      tested++;
      stamps.set(keyOf(r.pair), r.finishedAt / 1000);
      lastEnd = Math.max(lastEnd, r.finishedAt);
    }
    testsPerRun = Math.min(testsPerRun, tested);
    if (inZoneRuns === 0 && plan.intra.flat().every((pair) => stamps.has(keyOf(pair)))) [inZoneRuns, inZoneWallS] = [run, (lastEnd - t0) / 1000];
    if (crossZoneRuns === 0 && plan.cross.flat().every((pair) => stamps.has(keyOf(pair)))) [crossZoneRuns, crossZoneWallS] = [run, (lastEnd - t0) / 1000];
  }
  return {
    n,
    zones,
    share,
    inZoneRuns,
    crossZoneRuns,
    statedInZoneRuns: stated.inZoneRuns,
    statedCrossZoneRuns: stated.crossZoneRuns,
    inZoneWallS,
    crossZoneWallS,
    testsPerRun,
  };
}
