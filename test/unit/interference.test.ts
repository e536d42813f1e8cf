import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { findSuspects } from '../../src/interference/detect.ts';
import { retestSuspects, type RetestOptions } from '../../src/run/retest.ts';
import { runSchedule, type ScheduleEvent } from '../../src/schedule/scheduler.ts';
import { planPairs } from '../../src/plan/pairs.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { Pair, PairResult, Protocol, Server, TestOutcome } from '../../src/model/types.ts';

// The interference check: which readings are suspected (a table of small cycles), and the re-test
// phase on a virtual clock against a simulated FIFO-egress cluster, where a test whose source is
// receiving while it sends reads 30 % low.

const server = (node: string): Server => ({ node, ip: `10.0.0.${node.slice(1)}`, port: 5201 });
const ok = (src: string, dst: string, mbps: number, from: number, to: number, protocol: Protocol = 'tcp'): PairResult => ({
  pair: { source: server(src), destination: server(dst), protocol },
  status: 'success',
  measurement: { bandwidthMbps: mbps },
  startedAt: from,
  finishedAt: to,
  attempts: 1,
});

test('which readings are suspected', () => {
  const cases: { name: string; results: PairResult[]; suspects: { index: number; mbps: number; referenceMbps: number }[] }[] = [
    {
      name: 'a low reading while its source was receiving: reference = max(best other out of the source, best other into the destination)',
      results: [ok('n1', 'n2', 70, 1, 3), ok('n3', 'n1', 95, 1, 3), ok('n1', 'n3', 96, 4, 6), ok('n3', 'n2', 94, 4, 6)],
      suspects: [{ index: 0, mbps: 70, referenceMbps: 96 }],
    },
    {
      name: 'a low reading while its destination was sending',
      results: [ok('n1', 'n2', 70, 1, 3), ok('n2', 'n3', 95, 1, 3), ok('n1', 'n3', 93, 4, 6), ok('n3', 'n2', 94, 4, 6)],
      suspects: [{ index: 0, mbps: 70, referenceMbps: 94 }],
    },
    {
      name: 'a low reading with no test in the other direction at either end is the path’s own (exclusive mode)',
      results: [ok('n1', 'n2', 70, 1, 3), ok('n3', 'n1', 95, 4, 6), ok('n1', 'n3', 96, 7, 9), ok('n3', 'n2', 94, 10, 12)],
      suspects: [],
    },
    {
      name: 'an overlap of a tenth of the test or less (process start and exit) is no load',
      results: [ok('n1', 'n2', 70, 10, 30), ok('n3', 'n1', 95, 28, 48), ok('n1', 'n3', 96, 50, 70), ok('n3', 'n2', 94, 50, 70)],
      suspects: [],
    },
    {
      name: 'within the tolerance (2.5 %) below the reference is not suspected, beyond it is',
      results: [
        ok('n1', 'n2', 97.6, 1, 3),
        ok('n2', 'n1', 97.4, 1, 3),
        ok('n1', 'n3', 100, 4, 6),
        ok('n3', 'n2', 100, 4, 6),
        ok('n2', 'n3', 100, 7, 9),
        ok('n3', 'n1', 100, 7, 9),
      ],
      suspects: [{ index: 1, mbps: 97.4, referenceMbps: 100 }],
    },
    {
      name: 'each reading is compared with the best *other* reading of its ends, never with itself',
      results: [ok('n1', 'n2', 100, 1, 3), ok('n2', 'n1', 60, 1, 3)],
      suspects: [],
    },
    {
      name: 'UDP readings and failures are not judged',
      results: [
        ok('n1', 'n2', 10, 1, 3, 'udp'),
        ok('n2', 'n1', 100, 1, 3, 'udp'),
        {
          pair: { source: server('n1'), destination: server('n3'), protocol: 'tcp' },
          status: 'failure',
          failure: { kind: 'timeout', message: 't' },
          startedAt: 1,
          finishedAt: 3,
          attempts: 1,
        },
      ],
      suspects: [],
    },
  ];
  for (const c of cases) assert.deepEqual(findSuspects(c.results), c.suspects, c.name);
});

const D = 2000;
const TRUTH = 95;
const servers = (n: number) => Array.from({ length: n }, (_, i) => server(`n${i + 1}`));
const silent = pino({ level: 'silent' });
const policy = failurePolicy({ retries: 0 });

/**
 * A simulated cluster with FIFO egress: a test reads TRUTH, or 30 % less when its source node was
 * also receiving a test at any moment of it. Records the tests in flight per node to check exclusivity.
 */
function fifoCluster(clock: VirtualClock) {
  const receiving = new Map<string, number>();
  const busy = new Map<string, number>();
  let maxPerNode = 0;
  const runTest = async (pair: Pair, signal: AbortSignal): Promise<TestOutcome> => {
    const { source, destination } = pair;
    for (const node of [source.node, destination.node]) {
      busy.set(node, (busy.get(node) ?? 0) + 1);
      maxPerNode = Math.max(maxPerNode, busy.get(node)!);
    }
    receiving.set(destination.node, (receiving.get(destination.node) ?? 0) + 1);
    let disturbed = (receiving.get(source.node) ?? 0) > 0;
    const poll = async () => {
      for (let t = 0; t < D; t += 100) {
        await clock.sleep(100, signal);
        if ((receiving.get(source.node) ?? 0) > 0) disturbed = true;
      }
    };
    try {
      await poll();
    } catch {
      return { ok: false, kind: 'aborted', message: 'aborted' };
    } finally {
      receiving.set(destination.node, receiving.get(destination.node)! - 1);
      for (const node of [source.node, destination.node]) busy.set(node, busy.get(node)! - 1);
    }
    return { ok: true, measurement: { bandwidthMbps: disturbed ? TRUTH * 0.7 : TRUTH } };
  };
  return { runTest, maxPerNode: () => maxPerNode, reset: () => (maxPerNode = 0) };
}

async function cycle(n: number, retest: Partial<RetestOptions> = {}, deadline?: number) {
  const clock = new VirtualClock();
  const cluster = fifoCluster(clock);
  const schedule = { concurrency: n, expectedMs: D, policy, ...(deadline !== undefined ? { deadline } : {}) };
  const pairs = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const first = await clock.run(runSchedule(pairs, { ...schedule, exclusive: false }, { clock, runTest: cluster.runTest }));
  const fullDuplexMs = clock.now();
  cluster.reset();
  const events: ScheduleEvent[] = [];
  const options: RetestOptions = { maxRetests: pairs.length, tolerance: 0.025, schedule, ...retest };
  const out = await clock.run(
    retestSuspects(first, options, { clock, log: silent, runTest: cluster.runTest, onEvent: (e) => events.push(e) }),
  );
  return { first, ...out, fullDuplexMs, retestMs: clock.now() - fullDuplexMs, maxPerNode: cluster.maxPerNode(), events };
}

test('on FIFO egress at full duplex, every corrupted reading is caught and re-tested alone, and what is published is the truth', async () => {
  const { first, results, summary, maxPerNode, retestMs } = await cycle(12);
  const corrupted = first.filter((r) => r.status === 'success' && r.measurement.bandwidthMbps < TRUTH).length;
  assert.ok(corrupted > 0, 'the simulated full-duplex pass corrupts readings');
  // Every reading is corrupted alike: a calibration sample re-tested alone shows it, then the rest follow.
  assert.deepEqual(summary, { suspected: corrupted, retested: corrupted, confirmed: corrupted, unresolved: 0, retestS: retestMs / 1000 });
  for (const r of results)
    assert.equal(r.status === 'success' && r.measurement.bandwidthMbps, TRUTH, `${r.pair.source.node}→${r.pair.destination.node}`);
  const retested = results.filter((r) => r.interference?.verdict === 'retested');
  assert.equal(retested.length, corrupted);
  assert.ok(retested.every((r) => r.interference!.firstMbps === TRUTH * 0.7 && r.interference!.confirmed && r.attempts === 2));
  assert.equal(maxPerNode, 1, 'no node is in two re-tests at once');
});

test('the re-test budget bounds the re-tests; the suspects left are published marked as suspect', async () => {
  const { results, summary } = await cycle(12, { maxRetests: 6 });
  assert.equal(summary.retested, 6);
  assert.equal(summary.confirmed, 6);
  assert.equal(summary.unresolved, summary.suspected - 6);
  const suspect = results.filter((r) => r.interference?.verdict === 'suspect');
  assert.equal(suspect.length, summary.unresolved);
  assert.ok(suspect.every((r) => r.status === 'success' && r.measurement.bandwidthMbps === TRUTH * 0.7 && !r.interference!.confirmed));
});

test('with a budget of 0 (mark only) or no time left before the deadline nothing is re-tested', async () => {
  const marked = await cycle(4, { maxRetests: 0 });
  assert.equal(marked.summary.retested, 0);
  assert.equal(marked.retestMs, 0);
  assert.deepEqual(
    marked.summary,
    { suspected: 0, retested: 0, confirmed: 0, unresolved: 0, retestS: 0 },
    'alike readings, no calibration',
  );
  const late = await cycle(4, {}, 3 * D + 100);
  assert.equal(late.summary.retested, 0);
  assert.ok(late.results.every((r) => r.interference === undefined && r.attempts === 1));
});

test('a reading far below its peers is suspected and re-tested even without calibration: one slow test in an isolated cluster', async () => {
  const clock = new VirtualClock();
  const pairs = planPairs(servers(4), { mode: 'mesh', protocols: ['tcp'] });
  let calls = 0;
  const runTest = async (pair: Pair): Promise<TestOutcome> => {
    await clock.sleep(D);
    calls++;
    const low = pair.source.node === 'n1' && pair.destination.node === 'n3' && calls <= pairs.length;
    return { ok: true, measurement: { bandwidthMbps: low ? 50 : TRUTH } };
  };
  const schedule = { concurrency: 4, expectedMs: D, policy };
  const first = await clock.run(runSchedule(pairs, { ...schedule, exclusive: false }, { clock, runTest }));
  const { results, summary } = await clock.run(
    retestSuspects(first, { maxRetests: 6, tolerance: 0.025, schedule }, { clock, log: silent, runTest }),
  );
  assert.equal(summary.suspected, 1);
  assert.equal(summary.confirmed, 1);
  const n1n3 = results.find((r) => r.pair.source.node === 'n1' && r.pair.destination.node === 'n3')!;
  assert.deepEqual(n1n3.interference, { verdict: 'retested', suspected: true, firstMbps: 50, referenceMbps: TRUTH, confirmed: true });
  assert.ok(results.every((r) => r.status === 'success' && r.measurement.bandwidthMbps === TRUTH));
});

test('below ten test lengths per pass (a small cluster) no calibration slot is spent when nothing is suspected', async () => {
  const { summary, retestMs } = await cycle(6);
  assert.deepEqual(summary, { suspected: 0, retested: 0, confirmed: 0, unresolved: 0, retestS: 0 });
  assert.equal(retestMs, 0);
});
