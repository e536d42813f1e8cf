import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderZoned, planZoned, zonedCoverage } from '../../src/plan/zones.ts';
import { runOrder } from '../../src/plan/run-order.ts';
import { runSchedule } from '../../src/schedule/scheduler.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import { rng } from '../bench/rng.ts';
import type { Pair, Server, TestOutcome } from '../../src/model/types.ts';

// The zoned plan: every pair once, in rounds that are matchings, taken in the share's ratio; and on a
// virtual clock with the runner's own order (plan/run-order.ts) and the real scheduler, the coverage
// the plan states for in-zone and cross-zone pairs, with tests of uneven length cut by a deadline.

const D = 1000;
/** What the scheduler expects one test to take (the runner counts 0.5 s of start-up on 6 s). */
const EXPECTED = 1080;
const key = (p: Pair) => `${p.source.node}>${p.destination.node}/${p.protocol}`;
const zoned = (sizes: number[]): Server[] =>
  sizes.flatMap((size, z) =>
    Array.from({ length: size }, (_, i) => ({ node: `z${z}-n${i}`, ip: `10.0.${z}.${i}`, port: 5201, zone: `z${z}` })),
  );

function assertMatchings(rounds: readonly Pair[][], what: string): void {
  rounds.forEach((round, index) => {
    assert.equal(new Set(round.map((p) => p.source.node)).size, round.length, `${what} round ${index}: a node sends twice`);
    assert.equal(new Set(round.map((p) => p.destination.node)).size, round.length, `${what} round ${index}: a node receives twice`);
  });
}

test('every directed pair is planned once, in rounds that are matchings: s − 1 in-zone and N − s cross-zone ones', () => {
  const { intra, cross, equalZones } = planZoned(zoned([4, 4, 4]), ['tcp', 'udp']);
  assert.equal(equalZones, true);
  assert.deepEqual([intra.length, cross.length], [2 * 3, 2 * 8]);
  assert.ok(
    [...intra, ...cross].every((round) => round.length === 12),
    'equal zones: every round is a perfect matching',
  );
  assert.equal(new Set([...intra, ...cross].flat().map(key)).size, 2 * 12 * 11);
  assert.ok(intra.flat().every((p) => p.source.zone === p.destination.zone));
  assert.ok(cross.flat().every((p) => p.source.zone !== p.destination.zone));
  assertMatchings([...intra, ...cross], 'equal zones');
});

test('zones of different sizes and a server without a zone: every pair once, every round a matching', () => {
  const servers = [...zoned([3, 4]), { node: 'loner', ip: '10.9.9.9', port: 5201 }];
  const { intra, cross, equalZones } = planZoned(servers, ['tcp']);
  assert.equal(equalZones, false);
  assert.equal(intra.flat().length, 3 * 2 + 4 * 3);
  assert.equal(cross.flat().length, 8 * 7 - intra.flat().length);
  assert.equal(new Set([...intra, ...cross].flat().map(key)).size, 8 * 7);
  assertMatchings([...intra, ...cross], 'unequal zones');
});

test('a run takes whole rounds, in-zone and cross-zone ones in the ratio (1 − share) : share', () => {
  const plan = planZoned(zoned([5, 5]), ['tcp']);
  const kinds = orderZoned(plan, 0.25, () => undefined).map((round) => (round[0]!.destination.zone === round[0]!.source.zone ? 'in' : 'x'));
  // 4 in-zone rounds and 5 cross-zone ones: after k rounds ⌊k/4⌋ are cross-zone, until the in-zone ones run out.
  assert.deepEqual(kinds, ['in', 'in', 'in', 'x', 'in', 'x', 'x', 'x', 'x']);
  assert.deepEqual(zonedCoverage(4, { intra: 4, cross: 5 }, 0.25), {
    inZonePerRun: 3,
    crossZonePerRun: 1,
    inZoneRuns: 2,
    crossZoneRuns: 5,
  });
  assert.deepEqual(zonedCoverage(8, { intra: 4, cross: 5 }, 0.25), {
    inZonePerRun: 4,
    crossZonePerRun: 4,
    inZoneRuns: 1,
    crossZoneRuns: 2,
  });
});

/** Consecutive runs of the runner's order and the real scheduler; the run after which each kind was all measured. */
async function zonedRuns(sizes: number[], share: number, rounds: number, runs: number) {
  const servers = zoned(sizes);
  const plan = planZoned(servers, ['tcp']);
  const stamps = new Map<string, number>();
  const covered = { intra: 0, cross: 0 };
  const perRun: number[] = [];
  let at = 1.7e12;
  for (let run = 1; run <= runs; run++) {
    const clock = new VirtualClock(at);
    const random = rng(run);
    const input = { mode: 'mesh' as const, protocols: ['tcp' as const], exclusive: false, crossZoneShare: share, maxPairs: 0, rounds };
    const pairs = runOrder(input, servers, [], (p) => stamps.get(key(p)));
    // Tests of uneven length (D ± 5 %), as real ones are.
    const runTest = async (): Promise<TestOutcome> => {
      await clock.sleep(D * (0.95 + 0.1 * random()));
      return { ok: true, measurement: { bandwidthMbps: 1 } };
    };
    const options = {
      concurrency: servers.length,
      exclusive: false,
      expectedMs: EXPECTED,
      policy: failurePolicy({ retries: 0 }),
      deadline: at + rounds * EXPECTED,
    };
    const results = await clock.run(runSchedule(pairs, options, { clock, runTest }));
    perRun.push(results.filter((r) => r.status === 'success').length);
    for (const r of results) if (r.status === 'success') stamps.set(key(r.pair), r.finishedAt / 1000);
    if (!covered.intra && plan.intra.flat().every((p) => stamps.has(key(p)))) covered.intra = run;
    if (!covered.cross && plan.cross.flat().every((p) => stamps.has(key(p)))) covered.cross = run;
    at += 300_000;
  }
  return { covered, perRun, stated: zonedCoverage(rounds, { intra: plan.intra.length, cross: plan.cross.length }, share) };
}

test('runs cut by a deadline measure every in-zone and every cross-zone pair within the runs the plan states', async () => {
  const cases: [number[], number, number][] = [
    [[6, 6, 6, 6], 0.5, 7],
    [[8, 8, 8], 0.5, 5],
    [[5, 5, 5, 5, 5], 0.25, 6],
    [[10, 10], 0.3, 4],
  ];
  for (const [sizes, share, rounds] of cases) {
    const probe = await zonedRuns(sizes, share, rounds, 1);
    const { covered, perRun, stated } = await zonedRuns(
      sizes,
      share,
      rounds,
      Math.max(probe.stated.inZoneRuns, probe.stated.crossZoneRuns),
    );
    const what = `zones ${sizes.join('+')}, share ${share}, ${rounds} rounds: tests per run ${perRun.join(',')}`;
    assert.ok(
      covered.intra > 0 && covered.intra <= stated.inZoneRuns,
      `${what}: in-zone covered after run ${covered.intra}, stated ${stated.inZoneRuns}`,
    );
    assert.ok(
      covered.cross > 0 && covered.cross <= stated.crossZoneRuns,
      `${what}: cross-zone covered after run ${covered.cross}, stated ${stated.crossZoneRuns}`,
    );
  }
});
