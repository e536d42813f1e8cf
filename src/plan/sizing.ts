import { ConfigError } from '../errors/config-error.ts';

// What one run can do and how long full coverage takes, from the cluster's size and the run's
// settings alone (pure; the cycle logs it and exports it as metrics at start).
//
// Collision-free parallelism: at most one test out of and one into every node at a time, so a mesh
// of N nodes runs N tests at once (⌊N/2⌋ exclusive, 1 in star mode). With D the expected time of one
// test and W the run's deadline, a run fits ⌊W/D⌋ rounds of p tests; every pair is measured within
// ⌈pairs ÷ tests-per-run⌉ runs (the runs start with the least recently measured pairs), and the
// coverage period is that many run intervals.

/** `--concurrency`: auto (the collision-free parallelism), a count, or a share of the nodes. */
export type Concurrency = { kind: 'auto' } | { kind: 'count'; count: number } | { kind: 'share'; share: number };

export function parseConcurrency(given: string | number): Concurrency {
  const value = String(given).trim();
  if (value === 'auto' || value === '0') return { kind: 'auto' };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (share > 0 && share <= 1) return { kind: 'share', share };
  } else if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 100_000) return { kind: 'count', count: Number(value) };
  const expected =
    'auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%';
  throw new ConfigError(`--concurrency must be ${expected}, got ${JSON.stringify(String(given))}`, 'concurrency');
}

export interface SizingInput {
  nodes: number;
  /** Tests the plan has (all pairs, all protocols). */
  pairs: number;
  mode: 'mesh' | 'star';
  exclusive: boolean;
  concurrency: Concurrency;
  /** --max-pairs (0: none). */
  maxPairs: number;
  /** Expected wall time of one test, ms (duration + omit + start-up). */
  testMs: number;
  /** The run's deadline, seconds after start (undefined: none, every planned test runs). */
  deadlineS?: number;
  /** Seconds between runs (the CronJob's schedule); undefined: unknown, a run follows the last. */
  intervalS?: number;
}

export interface CycleSize {
  /** Tests at a time without two into one server or two out of one node. */
  collisionFree: number;
  /** Tests in flight at most: the cap, never above the collision-free parallelism. */
  concurrency: number;
  /** Rounds of `concurrency` tests a run fits (⌊W/D⌋; Infinity without a deadline). */
  rounds: number;
  testsPerRun: number;
  runsToCover: number;
  /** Seconds from a pair's measurement to its next, at most: runs × interval (or × the run's time). */
  coveragePeriodS: number;
  /** Seconds one run takes at most (deadline, or the rounds of a full run). */
  runS: number;
  /** The run interval was given: the coverage period is wall time (else a lower bound, runs back to back). */
  periodKnown: boolean;
  /** The zoned plan's bounds (--cross-zone-share), when it applies; runsToCover is then the larger of the two. */
  zoned?: ZonedSize;
}

export interface ZonedSize {
  /** Whole rounds (matchings) a run makes: ⌊tests per run ÷ N⌋. */
  rounds: number;
  inZoneRuns: number;
  crossZoneRuns: number;
  inZonePeriodS: number;
  crossZonePeriodS: number;
  /** Zones of different sizes: the rounds are partial matchings and the bounds are not guaranteed. */
  equalZones: boolean;
}

/** The collision-free parallelism of a cluster of `nodes` (see the file comment). */
export function collisionFree(nodes: number, mode: 'mesh' | 'star', exclusive: boolean): number {
  if (mode === 'star') return 1;
  return Math.max(1, exclusive ? Math.floor(nodes / 2) : nodes);
}

/** The tests in flight a run allows on a cluster of `nodes`. */
export function resolveConcurrency(spec: Concurrency, nodes: number, mode: 'mesh' | 'star', exclusive: boolean): number {
  const limit = collisionFree(nodes, mode, exclusive);
  if (spec.kind === 'auto') return limit;
  if (spec.kind === 'count') return Math.min(spec.count, limit);
  return Math.min(limit, Math.max(1, Math.round(spec.share * nodes)));
}

export function cycleSize(input: SizingInput): CycleSize {
  const limit = collisionFree(input.nodes, input.mode, input.exclusive);
  const concurrency = resolveConcurrency(input.concurrency, input.nodes, input.mode, input.exclusive);
  const planned = input.maxPairs > 0 ? Math.min(input.pairs, input.maxPairs) : input.pairs;
  const rounds = input.deadlineS !== undefined ? Math.floor((input.deadlineS * 1000) / input.testMs) : Infinity;
  const testsPerRun = Math.min(planned, rounds * concurrency);
  const runsToCover = input.pairs === 0 ? 1 : testsPerRun > 0 ? Math.ceil(input.pairs / testsPerRun) : Infinity;
  const runS = Math.min(input.deadlineS ?? Infinity, (Math.ceil(testsPerRun / concurrency) * input.testMs) / 1000);
  const every = input.intervalS !== undefined ? Math.max(input.intervalS, runS) : runS;
  const periodKnown = input.intervalS !== undefined;
  return { collisionFree: limit, concurrency, rounds, testsPerRun, runsToCover, coveragePeriodS: runsToCover * every, runS, periodKnown };
}

/**
 * The cycle size under the zoned plan: a run makes ⌊tests per run ÷ N⌋ whole rounds, split between the
 * kinds as plan/zones.ts orders them (`coverage` for that many rounds); every pair is measured within
 * the larger of the two bounds.
 */
export function withZones(
  size: CycleSize,
  nodes: number,
  equalZones: boolean,
  coverage: (rounds: number) => { inZoneRuns: number; crossZoneRuns: number },
): CycleSize {
  const rounds = Math.floor(size.testsPerRun / Math.max(1, nodes));
  const { inZoneRuns, crossZoneRuns } = coverage(rounds);
  const every = size.runsToCover > 0 && Number.isFinite(size.runsToCover) ? size.coveragePeriodS / size.runsToCover : size.runS;
  const runsToCover = Math.max(inZoneRuns, crossZoneRuns);
  const zoned = {
    rounds,
    inZoneRuns,
    crossZoneRuns,
    inZonePeriodS: inZoneRuns * every,
    crossZonePeriodS: crossZoneRuns * every,
    equalZones,
  };
  return { ...size, runsToCover, coveragePeriodS: runsToCover * every, zoned };
}
