import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSchedule, type ScheduleEvent, type ScheduleOptions } from '../../src/schedule/scheduler.ts';
import { planPairs } from '../../src/plan/pairs.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { pairNetwork } from '../../src/model/network.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { Pair, Server, TestOutcome } from '../../src/model/types.ts';

// Servers on two networks (a node's host-network and pod-network server): pairs stay within a network,
// and the scheduler keys its ends by node, so a host and a pod test never share a node's sending or
// receiving side (its NIC) at once. Virtual clock, simulated tests.

const D = 1000;
const dual = (n: number): Server[] =>
  Array.from({ length: n }, (_, i) => [
    { node: `n${i + 1}`, ip: `10.0.0.${i + 1}`, port: 5201, network: 'host' as const },
    { node: `n${i + 1}`, ip: `10.244.${i + 1}.5`, port: 5201, network: 'pod' as const },
  ]).flat();
const opts = (o: Partial<ScheduleOptions> = {}): ScheduleOptions => ({
  concurrency: 64,
  exclusive: false,
  expectedMs: D,
  policy: failurePolicy({ retries: 0, backoffMs: () => 100 }),
  ...o,
});
const name = (pair: Pair) => `${pair.source.node}→${pair.destination.node} ${pairNetwork(pair)}`;

async function simulate(pairs: Pair[], o: ScheduleOptions, outcome: (pair: Pair) => TestOutcome = () => ({ ok: true, measurement: { bandwidthMbps: 100 } })) {
  const clock = new VirtualClock();
  const events: ScheduleEvent[] = [];
  const runTest = async (pair: Pair, signal: AbortSignal): Promise<TestOutcome> => {
    await clock.sleep(outcome(pair).ok ? D : 10, signal);
    return outcome(pair);
  };
  const results = await clock.run(runSchedule(pairs, o, { clock, runTest, onEvent: (e) => events.push(e) }));
  return { results, events, elapsed: clock.now() };
}

/** The most tests one node had at once as a sender and as a receiver, over the events (ends before starts at one instant). */
function peakPerNode(events: readonly ScheduleEvent[]): { sending: number; receiving: number; both: number } {
  const sending = new Map<string, number>();
  const receiving = new Map<string, number>();
  const peak = { sending: 0, receiving: 0, both: 0 };
  const ordered = [...events].sort((a, b) => a.at - b.at || (a.type === 'end' ? -1 : 1) - (b.type === 'end' ? -1 : 1));
  for (const event of ordered) {
    const step = event.type === 'start' ? 1 : -1;
    const out = (sending.get(event.pair.source.node) ?? 0) + step;
    const into = (receiving.get(event.pair.destination.node) ?? 0) + step;
    sending.set(event.pair.source.node, out);
    receiving.set(event.pair.destination.node, into);
    peak.sending = Math.max(peak.sending, out);
    peak.receiving = Math.max(peak.receiving, into);
    for (const node of [event.pair.source.node, event.pair.destination.node]) {
      peak.both = Math.max(peak.both, (sending.get(node) ?? 0) + (receiving.get(node) ?? 0));
    }
  }
  return peak;
}

test('pairs stay within a network: N(N−1) per network, host round r then pod round r, never host→pod', () => {
  const pairs = planPairs(dual(3), { mode: 'mesh', protocols: ['tcp'] });
  assert.equal(pairs.length, 12);
  for (const pair of pairs) assert.equal(pair.source.network, pair.destination.network, name(pair));
  assert.deepEqual(pairs.map(name), [
    'n1→n2 host', 'n2→n3 host', 'n3→n1 host',
    'n1→n2 pod', 'n2→n3 pod', 'n3→n1 pod',
    'n1→n3 host', 'n2→n1 host', 'n3→n2 host',
    'n1→n3 pod', 'n2→n1 pod', 'n3→n2 pod',
  ]);
  assert.equal(pairs[3]!.destination.ip, '10.244.2.5', 'a pod test goes to the destination node\'s pod-network server');
});

test('a node with a server on one network only is tested on that network alone', () => {
  const servers = [...dual(2), { node: 'n3', ip: '10.0.0.3', port: 5201, network: 'host' as const }];
  const pairs = planPairs(servers, { mode: 'mesh', protocols: ['tcp'] });
  assert.equal(pairs.filter((pair) => pairNetwork(pair) === 'host').length, 6);
  assert.deepEqual(pairs.filter((pair) => pairNetwork(pair) === 'pod').map(name), ['n1→n2 pod', 'n2→n1 pod']);
});

test('star mode tests each network from the runner node\'s server on that network', () => {
  const pairs = planPairs(dual(3), { mode: 'star', sourceNode: 'n2', protocols: ['tcp'] });
  assert.deepEqual(pairs.map((pair) => `${name(pair)} from ${pair.source.ip}`), [
    'n2→n3 host from 10.0.0.2', 'n2→n1 host from 10.0.0.2',
    'n2→n3 pod from 10.244.2.5', 'n2→n1 pod from 10.244.2.5',
  ]);
});

test('full duplex: a host and a pod test never share a node\'s sending or receiving side; the floor is 2(N−1)·D', async () => {
  for (const n of [2, 3, 5]) {
    const { results, events, elapsed } = await simulate(planPairs(dual(n), { mode: 'mesh', protocols: ['tcp'] }), opts());
    assert.equal(results.filter((r) => r.status === 'success').length, 2 * n * (n - 1));
    const peak = peakPerNode(events);
    assert.equal(peak.sending, 1, `N=${n}: one test out of a node at a time, whatever the network`);
    assert.equal(peak.receiving, 1, `N=${n}: one test into a node at a time, whatever the network`);
    assert.equal(elapsed, 2 * (n - 1) * D, `N=${n}`);
  }
});

test('exclusive: one test per node at a time across both networks', async () => {
  const { events, elapsed } = await simulate(planPairs(dual(4), { mode: 'mesh', protocols: ['tcp'] }), opts({ exclusive: true }));
  assert.equal(peakPerNode(events).both, 1);
  assert.equal(elapsed, 12 * D); // 24 tests, 2 at a time
});

test('a pod-network server that refuses is judged down on the pod network only: the node\'s host tests all run', async () => {
  const refused: TestOutcome = { ok: false, kind: 'refused', message: 'unable to connect to server: Connection refused' };
  const pairs = planPairs(dual(4), { mode: 'mesh', protocols: ['tcp'] });
  const { results } = await simulate(pairs, opts(), (pair) =>
    pairNetwork(pair) === 'pod' && pair.destination.node === 'n3' ? refused : { ok: true, measurement: { bandwidthMbps: 100 } },
  );
  const intoN3 = (network: string) => results.filter((r) => r.pair.destination.node === 'n3' && pairNetwork(r.pair) === network);
  assert.deepEqual(intoN3('host').map((r) => r.status), ['success', 'success', 'success']);
  const skipped = intoN3('pod').find((r) => r.skipped === 'destination-down');
  assert.ok(skipped, 'a pod test into n3 is skipped once n3 is judged down on the pod network');
  assert.match(skipped.message!, /^not tested: n3 \(pod network\) looked down: a tcp test from n\d to n3 was refused/);
  assert.equal(results.filter((r) => r.status === 'skipped' && pairNetwork(r.pair) === 'host').length, 0);
});

test('interference: a pod reading is compared with pod readings only, and a host test in the other direction counts as load', async () => {
  const { findSuspects } = await import('../../src/interference/detect.ts');
  const [h1, p1, h2, p2, h3, p3] = dual(3);
  const ok = (source: Server, destination: Server, mbps: number, from: number, to: number) => ({
    pair: { source, destination, protocol: 'tcp' as const },
    status: 'success' as const,
    measurement: { bandwidthMbps: mbps },
    startedAt: from,
    finishedAt: to,
    attempts: 1,
  });
  // The pod network reads 70 where the host network reads 96: the CNI's overhead, not interference.
  assert.deepEqual(findSuspects([ok(p1!, p2!, 70, 1, 3), ok(h3!, h1!, 95, 1, 3), ok(h1!, h3!, 96, 4, 6), ok(p2!, p3!, 71, 4, 6)]), []);
  // A pod reading low against another pod reading, while its source node received a host test: suspected.
  assert.deepEqual(findSuspects([ok(p1!, p2!, 50, 1, 3), ok(h3!, h1!, 95, 1, 3), ok(p1!, p3!, 70, 4, 6)]), [
    { index: 0, mbps: 50, referenceMbps: 70 },
  ]);
});

test('the zoned plan is made per network: in-zone and cross-zone pairs never cross networks, each network its full share', async () => {
  const { planZonedByNetwork } = await import('../../src/plan/zoned-networks.ts');
  const zoned = dual(4).map((server) => ({ ...server, zone: Number(server.node.slice(1)) <= 2 ? 'z1' : 'z2' }));
  const plan = planZonedByNetwork(zoned, ['tcp']);
  const [intra, cross] = [plan.intra.flat(), plan.cross.flat()];
  for (const pair of [...intra, ...cross]) assert.equal(pair.source.network, pair.destination.network, name(pair));
  for (const network of ['host', 'pod']) {
    assert.equal(intra.filter((pair) => pairNetwork(pair) === network).length, 4, `${network}: 2 zones of 2 nodes, 2 in-zone pairs each`);
    assert.equal(cross.filter((pair) => pairNetwork(pair) === network).length, 8, `${network}: 2·2·2 cross-zone pairs`);
  }
  for (const pair of intra) assert.equal(pair.source.zone, pair.destination.zone);
});
