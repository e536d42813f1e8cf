// The scheduler's parts, each alone: sender queues, node occupancy, the stop signal,
// and the failure policy they are handed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SenderQueues, type Job } from '../../src/schedule/sender-queues.ts';
import { NodeOccupancy } from '../../src/schedule/occupancy.ts';
import { stopSignal } from '../../src/schedule/stop-signal.ts';
import { classifyIperfError, exponentialBackoff, failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { Pair } from '../../src/model/types.ts';

const job = (index: number, sender: number, receiver: number): Job => ({ index, sender, receiver, attempts: 0, notBefore: 0, state: 'pending' });

describe('sender queues', () => {
  test('idle senders come most work first, and a started sender is not idle until released', () => {
    const jobs = [job(0, 0, 1), job(1, 1, 0), job(2, 1, 2), job(3, 2, 0)];
    const queues = new SenderQueues(jobs, 3);
    assert.deepEqual([...queues.idleSenders()], [1, 0, 2]);
    queues.start(jobs[1]!);
    assert.deepEqual([...queues.idleSenders()], [0, 2]);
    queues.release(jobs[1]!, false);
    assert.deepEqual([...queues.idleSenders()], [0, 2, 1]);
    assert.equal(jobs[1]!.state, 'done');
  });

  test('a released retry is pending again; a dropped job is done; unfinished skips the done prefix', () => {
    const jobs = [job(0, 0, 1), job(1, 0, 2), job(2, 0, 3)];
    const queues = new SenderQueues(jobs, 4);
    queues.start(jobs[0]!);
    queues.release(jobs[0]!, true);
    assert.equal(jobs[0]!.state, 'pending');
    queues.drop(jobs[0]!);
    assert.deepEqual(
      [...queues.unfinished(0)].map((queued) => queued.index),
      [1, 2],
    );
    queues.drop(jobs[1]!);
    queues.drop(jobs[2]!);
    queues.compact();
    assert.deepEqual([...queues.idleSenders()], []);
  });
});

describe('node occupancy', () => {
  test('full duplex: a node may send one test and receive another, never two of either', () => {
    const occupancy = new NodeOccupancy(3, false);
    occupancy.occupy(0, 1);
    assert.equal(occupancy.canStart(1, 0), true);
    assert.equal(occupancy.canStart(0, 2), false);
    assert.equal(occupancy.canStart(2, 1), false);
    occupancy.release(0, 1);
    assert.equal(occupancy.canStart(0, 2), true);
  });

  test('exclusive: a node in a test, either way, takes no other', () => {
    const occupancy = new NodeOccupancy(4, true);
    occupancy.occupy(0, 1);
    assert.equal(occupancy.canStart(1, 0), false);
    assert.equal(occupancy.canStart(2, 1), false);
    assert.equal(occupancy.canStart(2, 3), true);
  });
});

test('the stop signal says deadline at the deadline and aborted when the caller aborts', async () => {
  const clock = new VirtualClock(1000);
  const timers = new AbortController();
  const atDeadline = stopSignal(clock, 1500, undefined, timers.signal);
  await clock.run(new Promise<void>((resolve) => atDeadline.signal.addEventListener('abort', () => resolve())));
  assert.deepEqual([clock.now(), atDeadline.reason()], [1500, 'deadline']);
  const caller = new AbortController();
  const byCaller = stopSignal(clock, 9999, caller.signal, timers.signal);
  caller.abort('SIGTERM');
  assert.deepEqual([byCaller.signal.aborted, byCaller.reason()], [true, 'aborted']);
  timers.abort();
});

describe('failure policy', () => {
  test('iperf3 error texts are classified', () => {
    assert.deepEqual(
      [
        'the server is busy running a test. try again later',
        'unable to connect to server: Connection refused',
        'control socket has closed unexpectedly',
        'unable to receive results: Connection reset by peer',
        'parameter error',
      ].map(classifyIperfError),
      ['busy', 'refused', 'reset', 'reset', 'iperf-error'],
    );
  });

  test('busy, refused and reset are retried up to the limit with the backoff curve; nothing else is', () => {
    const policy = failurePolicy({ retries: 4 });
    assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => policy.retryAfterMs('busy', attempt)), [1000, 2000, 4000, 8000, undefined]);
    assert.equal(policy.retryAfterMs('refused', 1), 1000);
    assert.equal(policy.retryAfterMs('reset', 1), 1000);
    assert.equal(policy.retryAfterMs('timeout', 1), undefined);
    assert.equal(policy.retryAfterMs('iperf-error', 1), undefined);
    assert.equal(exponentialBackoff(10), 8000);
  });

  test('a final timeout or refusal quarantines the server; other failures do not', () => {
    const policy = failurePolicy({ retries: 0 });
    assert.deepEqual(
      (['timeout', 'refused', 'busy', 'reset', 'exit-code'] as const).map((kind) => policy.quarantines(kind)),
      [true, true, false, false, false],
    );
  });
});
