import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runSchedule, type ScheduleEvent, type ScheduleOptions } from '../../src/schedule/scheduler.ts';
import { planPairs } from '../../src/plan/pairs.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { FailureKind, Pair, PairResult, Server, TestOutcome } from '../../src/model/types.ts';

// The scheduler against a virtual clock and simulated tests: exact times, no flakiness.

const D = 1000;
const servers = (n: number): Server[] => Array.from({ length: n }, (_, i) => ({ node: `n${i + 1}`, ip: `10.0.0.${i + 1}`, port: 5201 }));
const mesh = (n: number, protocols: ('tcp' | 'udp')[] = ['tcp']) => planPairs(servers(n), { mode: 'mesh', protocols });
const backoffMs = (attempt: number) => 100 * attempt;
const opts = ({ busyRetries = 3, ...o }: Partial<ScheduleOptions> & { busyRetries?: number } = {}): ScheduleOptions => ({
  concurrency: 8,
  exclusive: false,
  expectedMs: D,
  policy: failurePolicy({ retries: busyRetries, backoffMs }),
  ...o,
});

type Behaviour = (pair: Pair, attempt: number) => { ms: number; outcome?: Exclude<TestOutcome, { ok: true }> };

/** Runs a schedule where each test sleeps `ms` of virtual time and then succeeds or fails as told. */
async function simulate(pairs: Pair[], o: ScheduleOptions, behaviour: Behaviour = () => ({ ms: D }), signal?: AbortSignal) {
  const clock = new VirtualClock();
  const events: ScheduleEvent[] = [];
  const attempts = new Map<Pair, number>();
  const runTest = async (pair: Pair, s: AbortSignal): Promise<TestOutcome> => {
    const attempt = (attempts.get(pair) ?? 0) + 1;
    attempts.set(pair, attempt);
    const b = behaviour(pair, attempt);
    try {
      await clock.sleep(b.ms, s);
    } catch {
      return { ok: false, kind: 'aborted', message: 'aborted before it finished' };
    }
    return b.outcome ?? { ok: true, measurement: { bandwidthMbps: 100 } };
  };
  const results = await clock.run(runSchedule(pairs, o, { clock, runTest, onEvent: (e) => events.push(e) }, signal));
  return { results, events, elapsed: clock.now() };
}

const fail = (kind: FailureKind, message: string = kind): Exclude<TestOutcome, { ok: true }> => ({ ok: false, kind, message });
const byStatus = (rs: PairResult[], s: string) => rs.filter((r) => r.status === s).length;

test('a full mesh with concurrency ≥ N takes exactly the floor (N−1)·D', async () => {
  for (const n of [2, 3, 5, 8]) {
    const { results, elapsed } = await simulate(mesh(n), opts({ concurrency: n }));
    assert.equal(byStatus(results, 'success'), n * (n - 1));
    assert.equal(elapsed, (n - 1) * D, `N=${n}`);
  }
});

test('with both protocols the floor is (N−1)·2·D', async () => {
  const { elapsed, results } = await simulate(mesh(5, ['tcp', 'udp']), opts({ concurrency: 5 }));
  assert.equal(results.length, 40);
  assert.equal(elapsed, 8 * D);
});

test('with concurrency c < N the cycle takes ⌈N(N−1)/c⌉·D', async () => {
  for (const [n, c] of [
    [5, 1],
    [5, 2],
    [6, 4],
    [8, 3],
  ] as const) {
    const { elapsed } = await simulate(mesh(n), opts({ concurrency: c }));
    assert.equal(elapsed, Math.ceil((n * (n - 1)) / c) * D, `N=${n} c=${c}`);
  }
});

test('exclusive mode runs one test per node: ⌊N/2⌋ at a time', async () => {
  const { elapsed, events } = await simulate(mesh(4), opts({ exclusive: true }));
  const maxInFlight = events.reduce(
    (acc, e) => {
      acc.cur += e.type === 'start' ? 1 : -1;
      acc.max = Math.max(acc.max, acc.cur);
      return acc;
    },
    { cur: 0, max: 0 },
  ).max;
  assert.equal(maxInFlight, 2);
  assert.equal(elapsed, 6 * D); // 12 tests, 2 at a time
});

test('star mode tests one destination at a time from the source node', async () => {
  const pairs = planPairs(servers(5), { mode: 'star', sourceNode: 'n3', protocols: ['tcp'] });
  assert.deepEqual(
    pairs.map((p) => `${p.source.node}>${p.destination.node}`),
    ['n3>n4', 'n3>n5', 'n3>n1', 'n3>n2'],
  );
  const { elapsed } = await simulate(pairs, opts());
  assert.equal(elapsed, 4 * D);
});

test('a busy server is retried with backoff and succeeds when it frees up', async () => {
  const pairs = mesh(2);
  const { results } = await simulate(pairs, opts(), (p, attempt) =>
    p.destination.node === 'n2' && attempt <= 2 ? { ms: 10, outcome: fail('busy', 'the server is busy running a test. try again later') } : { ms: D },
  );
  const r = results.find((x) => x.pair.destination.node === 'n2')!;
  assert.equal(r.status, 'success');
  assert.equal(r.attempts, 3);
});

test('a reset control connection is retried and does not mark the server down', async () => {
  const { results } = await simulate(mesh(3), opts({ concurrency: 3 }), (p, attempt) =>
    p.source.node === 'n1' && p.destination.node === 'n2' && attempt === 1 ? { ms: 10, outcome: fail('reset', 'control socket has closed unexpectedly') } : { ms: D },
  );
  assert.equal(byStatus(results, 'success'), 6);
  assert.equal(results.find((r) => r.pair.source.node === 'n1' && r.pair.destination.node === 'n2')!.attempts, 2);
});

test('a server still refusing after the retries, once its source reached another node, has its remaining tests skipped, not failed', async () => {
  const { results } = await simulate(mesh(3), opts({ concurrency: 3, busyRetries: 1 }), (p) =>
    p.destination.node === 'n3' ? { ms: 10, outcome: fail('refused', 'unable to connect to server: Connection refused') } : { ms: D },
  );
  const toN3 = results.filter((r) => r.pair.destination.node === 'n3').map((r) => `${r.status} ${r.failure?.kind ?? r.skipped}`).sort();
  assert.deepEqual(toN3, ['failure refused', 'skipped destination-down']);
  assert.equal(
    results.find((r) => r.skipped === 'destination-down')!.message,
    'not tested: n3 looked down: a tcp test from n2 to n3 was refused (unable to connect to server: Connection refused), and n2 reached other nodes',
  );
});

test('one source timing out to everyone is blamed itself: the destinations stay up for the other sources', async () => {
  // n1's client hangs (its exec, its NIC): every test it sends times out; the servers are fine.
  const T = 3 * D;
  const { results } = await simulate(mesh(4), opts({ concurrency: 4 }), (p) =>
    p.source.node === 'n1' ? { ms: T, outcome: fail('timeout', 'no result within 3 s') } : { ms: D },
  );
  const fromOthers = results.filter((r) => r.pair.source.node !== 'n1');
  assert.deepEqual(fromOthers.map((r) => r.status), Array<string>(9).fill('success'), 'every other source reached every destination');
  const fromN1 = results.filter((r) => r.pair.source.node === 'n1').map((r) => `${r.status} ${r.failure?.kind ?? r.skipped}`);
  assert.deepEqual(fromN1, ['failure timeout', 'failure timeout', 'skipped source-down']);
  assert.equal(
    results.find((r) => r.skipped === 'source-down')!.message,
    'not tested: n1 looked down: its tests to n2, n3 timed out or were refused',
  );
});

test('two sources failing to one destination the same way mark it down, with no success to vouch for either source', async () => {
  // Three sources with nothing else to do; n3 hangs: the second failure is the evidence.
  const [n1, n2, n3, n4] = servers(4) as [Server, Server, Server, Server];
  const pairs: Pair[] = [n1, n2, n4].map((source) => ({ source, destination: n3, protocol: 'tcp' }));
  const { results } = await simulate(pairs, opts({ concurrency: 3 }), () => ({ ms: D, outcome: fail('timeout', 'no result within 1 s') }));
  assert.deepEqual(
    results.map((r) => `${r.pair.source.node} ${r.status} ${r.failure?.kind ?? r.skipped}`),
    ['n1 failure timeout', 'n2 failure timeout', 'n4 skipped destination-down'],
  );
  assert.equal(results[2]!.message, 'not tested: n3 looked down: a tcp test from n2 to n3 timed out (no result within 1 s), as did tests from n1');
});

test('a server that stays busy fails as busy after the retries, naming the attempts', async () => {
  const { results } = await simulate(mesh(2), opts({ busyRetries: 2 }), (p) =>
    p.destination.node === 'n2' ? { ms: 10, outcome: fail('busy', 'the server is busy running a test. try again later') } : { ms: D },
  );
  const r = results.find((x) => x.pair.destination.node === 'n2')!;
  assert.equal(r.status, 'failure');
  assert.deepEqual(r.failure, { kind: 'busy', message: 'the server is busy running a test. try again later (after 3 attempts)' });
});

test('a hung server costs one timeout: once its source reaches another node, later tests to it are skipped, the rest run on', async () => {
  const T = 3 * D;
  const { results, elapsed } = await simulate(mesh(5), opts({ concurrency: 5 }), (p) =>
    p.destination.node === 'n3' ? { ms: T, outcome: fail('timeout', 'no result within 3 s') } : { ms: D },
  );
  const toN3 = results.filter((r) => r.pair.destination.node === 'n3');
  assert.equal(toN3.filter((r) => r.failure?.kind === 'timeout').length, 1);
  assert.equal(toN3.filter((r) => r.skipped === 'destination-down').length, 3);
  assert.match(toN3.find((r) => r.skipped === 'destination-down')!.message!, /^not tested: n3 looked down: a tcp test from n\d to n3 timed out \(no result within 3 s\), and n\d reached other nodes$/);
  assert.equal(byStatus(results, 'success'), 16);
  assert.ok(elapsed <= 4 * D + T, `elapsed ${elapsed} > floor + one timeout`);
});

test('a deadline skips the tests that cannot finish and stops the running ones', async () => {
  const { results, elapsed } = await simulate(mesh(5), opts({ concurrency: 5, deadline: 2500, expectedMs: D }));
  assert.equal(byStatus(results, 'success'), 10); // two full rounds
  assert.equal(byStatus(results, 'skipped'), 10);
  assert.ok(results.filter((r) => r.status === 'skipped').every((r) => r.skipped === 'deadline'));
  assert.ok(elapsed <= 2500);
});

test('a deadline that cuts running tests marks them skipped, not failed', async () => {
  const { results, elapsed } = await simulate(mesh(3), opts({ concurrency: 3, deadline: 1500, expectedMs: 1000 }), () => ({ ms: 5 * D }));
  assert.equal(elapsed, 1500);
  assert.equal(byStatus(results, 'skipped'), 6);
  assert.equal(byStatus(results, 'failure'), 0);
});

test('an abort (SIGTERM) keeps the completed results and skips the rest', async () => {
  const ac = new AbortController();
  const clockAbort = (p: Pair) => {
    if (p.source.node === 'n1' && p.destination.node === 'n3') setImmediate(() => ac.abort());
    return { ms: D };
  };
  const { results } = await simulate(mesh(3), opts({ concurrency: 3 }), clockAbort, ac.signal);
  assert.equal(byStatus(results, 'success'), 3); // round 1 (n1→n2, n2→n3, n3→n1) finished before the abort
  assert.equal(byStatus(results, 'skipped'), 3);
  assert.ok(results.filter((r) => r.status === 'skipped').every((r) => r.skipped === 'aborted'));
});

test('results come back in plan order, one per pair', async () => {
  const pairs = mesh(4);
  const { results } = await simulate(pairs, opts({ concurrency: 2 }), (p) => ({ ms: 100 + p.destination.ip.length * 37 + p.source.node.length }));
  assert.deepEqual(
    results.map((r) => r.pair),
    pairs,
  );
});

// The property: for random clusters, caps, durations and failures, no server or sender is ever
// double-booked, the cap holds, and the schedule is work-conserving — at no moment is a slot free
// while some sender's next test (in plan order; unless it goes into a destination under suspicion,
// see schedule/blame.ts) has both of its ends free.
test('never double-books a server or a sender, and never idles while a test could start in its turn', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 9 }),
      fc.integer({ min: 1, max: 12 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 200 }),
      fc.array(fc.constantFrom<'ok' | 'refused' | 'timeout'>('ok', 'ok', 'ok', 'ok', 'refused', 'timeout'), { minLength: 1, maxLength: 200 }),
      async (n, c, exclusive, durations, outcomes) => {
        const pairs = mesh(n);
        const indexOf = new Map(pairs.map((p, i) => [p, i]));
        const { events, results } = await simulate(pairs, opts({ concurrency: c, exclusive }), (p) => {
          const i = indexOf.get(p)!;
          const o = outcomes[i % outcomes.length]!;
          return { ms: durations[i % durations.length]! * 10, ...(o === 'ok' ? {} : { outcome: fail(o) }) };
        });
        assert.equal(results.length, pairs.length);
        assert.ok(results.every((r) => r !== undefined));
        checkTrace(pairs, events, c, exclusive, backoffMs);
      },
    ),
    { numRuns: 300 },
  );
});

function checkTrace(pairs: Pair[], events: ScheduleEvent[], c: number, exclusive: boolean, backoffMs: (attempt: number) => number) {
  // Each attempt of a test is one interval [start, end); a retried test has several.
  const intervals: { index: number; from: number; to: number }[] = [];
  const open = new Map<number, { index: number; from: number; to: number }>();
  const first = new Map<number, number>();
  const settled = new Map<number, number>();
  for (const e of events) {
    if (!first.has(e.index)) first.set(e.index, e.at);
    if (e.type === 'start') {
      const iv = { index: e.index, from: e.at, to: Infinity };
      intervals.push(iv);
      open.set(e.index, iv);
    } else {
      if (open.has(e.index)) {
        open.get(e.index)!.to = e.at;
        open.delete(e.index);
      }
      if (e.result) settled.set(e.index, e.at);
    }
  }
  assert.equal(open.size, 0, 'every started test ended');
  assert.equal(settled.size, pairs.length, 'every test settled once');
  // Tests into a destination that a source failed to the server-gone way (timeout, refused) wait
  // while it is under suspicion and a suspect source has other work (schedule/blame.ts); a later success
  // to it clears the suspicion.
  // A source judged down takes its suspicions back (from its last such failure on).
  const goneAt = new Map<string, { at: number; from: string }[]>();
  const reachedAt = new Map<string, number[]>();
  const sourceDownAt = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'end' || !e.result) continue;
    const into = e.pair.destination.node;
    if (e.result.skipped === 'source-down' && !sourceDownAt.has(e.pair.source.node)) {
      const own = [...goneAt.values()].flat().filter((g) => g.from === e.pair.source.node && g.at <= e.at);
      sourceDownAt.set(e.pair.source.node, Math.max(...own.map((g) => g.at)));
    }
    if (e.result.finishedAt === 0) continue;
    if (e.result.status === 'success') (reachedAt.get(into) ?? reachedAt.set(into, []).get(into)!).push(e.at);
    else if (e.result.failure?.kind === 'timeout' || e.result.failure?.kind === 'refused') {
      (goneAt.get(into) ?? goneAt.set(into, []).get(into)!).push({ at: e.at, from: e.pair.source.node });
    }
  }
  const suspected = (node: string, t: number) =>
    (goneAt.get(node) ?? []).some(
      (f) => f.at <= t && t < (sourceDownAt.get(f.from) ?? Infinity) && !(reachedAt.get(node) ?? []).some((ok) => ok > f.at && ok <= t),
    );
  const times = [...new Set(events.map((e) => e.at))].sort((a, b) => a - b);
  for (const t of times) {
    const running = intervals.filter((iv) => iv.from <= t && iv.to > t).map((iv) => iv.index);
    assert.ok(running.length <= c, `cap exceeded at t=${t}`);
    const sending = new Set<string>();
    const receiving = new Set<string>();
    for (const i of running) {
      const p = pairs[i]!;
      assert.ok(!sending.has(p.source.node), `${p.source.node} sends twice at t=${t}`);
      assert.ok(!receiving.has(p.destination.node), `${p.destination.node} receives twice at t=${t}`);
      sending.add(p.source.node);
      receiving.add(p.destination.node);
    }
    if (exclusive) {
      const busy = running.flatMap((i) => [pairs[i]!.source.node, pairs[i]!.destination.node]);
      assert.equal(new Set(busy).size, busy.length, `a node is in two tests at t=${t}`);
    }
    if (running.length >= c) continue;
    // Each sender's next test: the first in plan order that is neither settled, nor running, nor
    // waiting out a retry backoff at t.
    const ready = (i: number) => {
      if ((settled.get(i) ?? Infinity) <= t || running.includes(i)) return false;
      const done = intervals.filter((iv) => iv.index === i && iv.to <= t);
      return done.length === 0 ? first.get(i)! > t : done[done.length - 1]!.to + backoffMs(done.length) <= t;
    };
    const nextOf = new Map<string, number>();
    for (const [i, p] of pairs.entries()) if (!nextOf.has(p.source.node) && ready(i)) nextOf.set(p.source.node, i);
    for (const i of nextOf.values()) {
      const p = pairs[i]!;
      // Whether that test waits for evidence depends on what its suspects have left to do: not judged here.
      if (suspected(p.destination.node, t)) continue;
      // Receivers take first attempts in plan order too (schedule/receiver-order.ts): a test waits while an
      // earlier first attempt into its destination has not started.
      const firstAttempt = !intervals.some((iv) => iv.index === i && iv.from < t);
      if (firstAttempt && pairs.some((q, j) => j < i && q.destination.node === p.destination.node && (first.get(j) ?? Infinity) > t)) continue;
      const free = exclusive ? !nodeBusy(p.source.node) && !nodeBusy(p.destination.node) : !sending.has(p.source.node) && !receiving.has(p.destination.node);
      assert.ok(!free, `idle at t=${t}: ${p.source.node}→${p.destination.node} could have started`);
    }
    function nodeBusy(x: string) {
      return sending.has(x) || receiving.has(x);
    }
  }
}

test('more than ten tests in flight on one stop signal raise no listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    await simulate(mesh(14), opts({ concurrency: 14 }));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});
