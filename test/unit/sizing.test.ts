import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycleSize, parseConcurrency, resolveConcurrency, withZones, type SizingInput } from '../../src/plan/sizing.ts';
import { planZoned, zonedCoverage, zonedRoundCounts } from '../../src/plan/zones.ts';
import { coverageOf } from '../../src/metrics/coverage.ts';
import { planPairs } from '../../src/plan/pairs.ts';
import { previousKey, type PreviousPair } from '../../src/push/previous-results.ts';
import type { PairResult } from '../../src/model/types.ts';

// The cycle a run can do, from the cluster's size and the run's settings; and what the Pushgateway
// holds fresh results for after a run.

// The chart's defaults: every 5 min, deadline 80 % of it less 30 s = 210 s, 5 s + 1 s tests (6.5 s expected).
const chart = (nodes: number, extra: Partial<SizingInput> = {}): SizingInput => ({
  nodes,
  pairs: nodes * (nodes - 1),
  mode: 'mesh',
  exclusive: false,
  concurrency: { kind: 'auto' },
  maxPairs: 0,
  testMs: 6500,
  deadlineS: 210,
  intervalS: 300,
  ...extra,
});

test('--concurrency takes auto, a count or a share of the nodes', () => {
  assert.deepEqual(parseConcurrency('auto'), { kind: 'auto' });
  assert.deepEqual(parseConcurrency('0'), { kind: 'auto' });
  assert.deepEqual(parseConcurrency(8), { kind: 'count', count: 8 });
  assert.deepEqual(parseConcurrency('25%'), { kind: 'share', share: 0.25 });
  assert.deepEqual(parseConcurrency('100%'), { kind: 'share', share: 1 });
});

test('the cap never exceeds the collision-free parallelism: N full duplex, ⌊N/2⌋ exclusive, 1 in star mode', () => {
  const cases: [Parameters<typeof parseConcurrency>[0], number, 'mesh' | 'star', boolean, number][] = [
    ['auto', 100, 'mesh', false, 100],
    ['auto', 101, 'mesh', true, 50],
    ['auto', 100, 'star', false, 1],
    ['8', 100, 'mesh', false, 8],
    ['8', 5, 'mesh', false, 5],
    ['25%', 100, 'mesh', false, 25],
    ['25%', 3, 'mesh', false, 1],
    ['50%', 10, 'mesh', true, 5],
  ];
  for (const [given, nodes, mode, exclusive, expected] of cases) {
    assert.equal(
      resolveConcurrency(parseConcurrency(given), nodes, mode, exclusive),
      expected,
      `${given} of ${nodes} ${mode}${exclusive ? ' exclusive' : ''}`,
    );
  }
});

test('with the chart defaults: tests per run, runs to cover every pair and the coverage period', () => {
  const rows: [string, SizingInput, { testsPerRun: number; runsToCover: number; coveragePeriodS: number }][] = [
    ['20 nodes', chart(20), { testsPerRun: 380, runsToCover: 1, coveragePeriodS: 300 }],
    ['100 nodes', chart(100), { testsPerRun: 3200, runsToCover: 4, coveragePeriodS: 1200 }],
    ['1000 nodes', chart(1000), { testsPerRun: 32000, runsToCover: 32, coveragePeriodS: 9600 }],
    [
      '100 nodes, --concurrency 8',
      chart(100, { concurrency: { kind: 'count', count: 8 } }),
      { testsPerRun: 256, runsToCover: 39, coveragePeriodS: 11700 },
    ],
    ['100 nodes, --max-pairs 1000', chart(100, { maxPairs: 1000 }), { testsPerRun: 1000, runsToCover: 10, coveragePeriodS: 3000 }],
    ['100 nodes, tcp and udp', chart(100, { pairs: 2 * 9900 }), { testsPerRun: 3200, runsToCover: 7, coveragePeriodS: 2100 }],
  ];
  for (const [name, input, expected] of rows) {
    const size = cycleSize(input);
    assert.deepEqual(
      { testsPerRun: size.testsPerRun, runsToCover: size.runsToCover, coveragePeriodS: size.coveragePeriodS },
      expected,
      name,
    );
  }
});

test('without a deadline a run tests every pair; without an interval the period is the run time', () => {
  const size = cycleSize(chart(10, { deadlineS: undefined, intervalS: undefined, concurrency: { kind: 'count', count: 4 } }));
  assert.deepEqual(size, {
    collisionFree: 10,
    concurrency: 4,
    rounds: Infinity,
    testsPerRun: 90,
    runsToCover: 1,
    coveragePeriodS: 149.5,
    runS: 149.5,
    periodKnown: false,
  });
});

test('coverage: fresh results from this run or earlier ones, expired and missing ones unmeasured, the oldest age', () => {
  const servers = ['a', 'b', 'c'].map((node, i) => ({ node, ip: `10.0.0.${i + 1}`, port: 5201 }));
  const planned = planPairs(servers, { mode: 'mesh', protocols: ['tcp'] }); // 6 pairs
  const earlier = (source: string, destination: string, timestamp: number): [string, PreviousPair] => [
    previousKey(source, destination, 'tcp', 'host'),
    { source, destination, protocol: 'tcp', network: 'host', timestamp, values: {} },
  ];
  const previous = new Map([earlier('a', 'b', 900), earlier('b', 'c', 400), earlier('c', 'a', 100), earlier('a', 'c', 500)]);
  const results: PairResult[] = [
    {
      pair: planned.find((p) => p.source.node === 'a' && p.destination.node === 'c')!,
      status: 'success',
      measurement: { bandwidthMbps: 1 },
      attempts: 1,
      startedAt: 990_000,
      finishedAt: 995_000,
    },
    {
      pair: planned.find((p) => p.source.node === 'b' && p.destination.node === 'a')!,
      status: 'skipped',
      skipped: 'deadline',
      attempts: 0,
      startedAt: 0,
      finishedAt: 0,
    },
  ];
  // now 1000 s; results before 200 s expired (c>a); the period is 500 s: a>b (900), a>c (995) recent, b>c (400) not.
  const coverage = coverageOf(planned, results, previous, { nowS: 1000, notBeforeS: 200, periodS: 500 });
  assert.deepEqual(coverage, { pairs: 6, unmeasured: 3, measuredRatio: 2 / 6, oldestAgeS: 600 });
});

test('coverage: a pair skipped because its destination was judged down counts as judged at the run end, not unmeasured', () => {
  const servers = ['a', 'b'].map((node, index) => ({ node, ip: `10.0.0.${index + 1}`, port: 5201 }));
  const planned = planPairs(servers, { mode: 'mesh', protocols: ['tcp'] });
  const results: PairResult[] = [
    { pair: planned[0]!, status: 'skipped', skipped: 'destination-down', attempts: 0, startedAt: 0, finishedAt: 0 },
    { pair: planned[1]!, status: 'skipped', skipped: 'deadline', attempts: 0, startedAt: 0, finishedAt: 0 },
  ];
  const coverage = coverageOf(planned, results, new Map(), { nowS: 1000, notBeforeS: 200, periodS: 500 });
  assert.deepEqual(coverage, { pairs: 2, unmeasured: 1, measuredRatio: 1 / 2, oldestAgeS: 0 });
});

test('the zoned plan states its in-zone and cross-zone bounds from the whole rounds a run makes', () => {
  const zone = (sizes: number[]) =>
    sizes.flatMap((size, z) => Array.from({ length: size }, (_, i) => ({ node: `z${z}-${i}`, ip: '10.0.0.1', port: 5201, zone: `z${z}` })));
  for (const servers of [zone([25, 25, 25, 25]), zone([34, 33, 33]), [...zone([3, 4]), { node: 'loner', ip: '10.0.0.2', port: 5201 }]]) {
    const plan = planZoned(servers, ['tcp', 'udp']);
    assert.deepEqual(zonedRoundCounts(servers, 2), { intra: plan.intra.length, cross: plan.cross.length, equalZones: plan.equalZones });
  }
  // The chart's defaults, 100 nodes in 4 zones, share 0.5: 32 rounds per run, 16 of each kind; 24 in-zone
  // rounds within 2 runs, 75 cross-zone ones within 5 (every 300 s).
  const counts = zonedRoundCounts(zone([25, 25, 25, 25]), 1);
  const size = withZones(cycleSize(chart(100)), 100, counts.equalZones, (rounds) => zonedCoverage(rounds, counts, 0.5));
  assert.deepEqual(size.zoned, {
    rounds: 32,
    inZoneRuns: 2,
    crossZoneRuns: 5,
    inZonePeriodS: 600,
    crossZonePeriodS: 1500,
    equalZones: true,
  });
  assert.deepEqual([size.runsToCover, size.coveragePeriodS], [5, 1500]);
  // --max-pairs 1000: 10 whole rounds a run, 5 of each kind.
  const budget = withZones(cycleSize(chart(100, { maxPairs: 1000 })), 100, true, (rounds) => zonedCoverage(rounds, counts, 0.5));
  assert.deepEqual([budget.zoned?.rounds, budget.zoned?.inZoneRuns, budget.zoned?.crossZoneRuns], [10, 5, 15]);
});
