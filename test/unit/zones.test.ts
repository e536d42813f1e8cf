import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderZoned, planZoned } from '../../src/plan/zones.ts';
import { runSchedule } from '../../src/schedule/scheduler.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { Pair, Server, TestOutcome } from '../../src/model/types.ts';

// The zoned plan: every pair once, in-zone rounds that are matchings in every zone, and on a virtual
// clock with the real scheduler, the coverage bounds the plan states for in-zone and cross-zone pairs.

const D = 1000;
const key = (p: Pair) => `${p.source.node}>${p.destination.node}/${p.protocol}`;
const zoned = (sizes: number[]): Server[] =>
  sizes.flatMap((size, z) =>
    Array.from({ length: size }, (_, i) => ({ node: `z${z}-n${i}`, ip: `10.0.${z}.${i}`, port: 5201, zone: `z${z}` })),
  );

test('every directed pair is planned once: in-zone ones as rounds inside each zone, the rest cross-zone', () => {
  const servers = [...zoned([3, 4]), { node: 'loner', ip: '10.9.9.9', port: 5201 }];
  const { intra, cross } = planZoned(servers, ['tcp']);
  assert.equal(intra.length, 3 * 2 + 4 * 3);
  assert.equal(cross.length, 8 * 7 - intra.length);
  assert.equal(new Set([...intra, ...cross].map(key)).size, 8 * 7);
  assert.ok(intra.every((p) => p.source.zone === p.destination.zone));
  assert.ok(cross.every((p) => p.source.zone !== p.destination.zone || p.source.zone === undefined));
  // Round 1 of both zones first: each node sends once and receives once.
  assert.deepEqual(intra.slice(0, 7).map(key), [
    'z0-n0>z0-n1/tcp',
    'z0-n1>z0-n2/tcp',
    'z0-n2>z0-n0/tcp',
    'z1-n0>z1-n1/tcp',
    'z1-n1>z1-n2/tcp',
    'z1-n2>z1-n3/tcp',
    'z1-n3>z1-n0/tcp',
  ]);
});

test('each sender alternates in-zone and cross-zone tests in the given ratio', () => {
  const plan = planZoned(zoned([5, 5]), ['tcp']);
  const order = orderZoned(plan, 0.25, () => undefined);
  const first = order.filter((p) => p.source.node === 'z0-n0').slice(0, 8);
  assert.deepEqual(
    first.map((p) => (p.destination.zone === 'z0' ? 'in' : 'x')),
    ['in', 'in', 'in', 'x', 'in', 'x', 'x', 'x'],
  );
});

test('runs cut by a deadline measure in-zone pairs and cross-zone pairs within the stated runs', async () => {
  // 3 zones of 4 nodes, R = 4 rounds per run, share 0.5: in-zone within ⌈3/⌊4·0.5⌋⌉ = 2 runs, cross-zone
  // within ⌈8/(4 − min(3, 2))⌉ = 4 runs.
  const plan = planZoned(zoned([4, 4, 4]), ['tcp']);
  const stamps = new Map<string, number>();
  const intraCovered: number[] = [];
  const crossCovered: number[] = [];
  let at = 1.7e12;
  for (let run = 0; run < 4; run++) {
    const clock = new VirtualClock(at);
    const pairs = orderZoned(plan, 0.5, (p) => stamps.get(key(p)));
    const runTest = async (): Promise<TestOutcome> => {
      await clock.sleep(D);
      return { ok: true, measurement: { bandwidthMbps: 1 } };
    };
    const options = { concurrency: 12, exclusive: false, expectedMs: D, policy: failurePolicy({ retries: 0 }), deadline: at + 4 * D + 100 };
    const results = await clock.run(runSchedule(pairs, options, { clock, runTest }));
    for (const r of results) if (r.status !== 'skipped') stamps.set(key(r.pair), r.finishedAt);
    intraCovered.push(plan.intra.filter((p) => stamps.has(key(p))).length);
    crossCovered.push(plan.cross.filter((p) => stamps.has(key(p))).length);
    at += 300_000;
  }
  assert.equal(intraCovered[1], plan.intra.length, `in-zone covered after each run: ${intraCovered.join(',')} of ${plan.intra.length}`);
  assert.equal(crossCovered[3], plan.cross.length, `cross-zone covered after each run: ${crossCovered.join(',')} of ${plan.cross.length}`);
});
