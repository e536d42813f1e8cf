import type { Job } from './sender-queues.ts';

// Each receiver takes its first attempts in plan order too. The run's order is rounds, each one test
// out of and one into every node (plan/rounds.ts); senders keep to it on their side (sender-queues.ts),
// and with this receivers do on theirs: a sender that finished early does not take a receiver whose
// test of an earlier round has not started yet (that test's sender would then find it busy and wait a
// whole test, and the delay would ripple through the rounds after). It waits the few moments until
// that test has run instead. Retries are not held to the order (they come back after a backoff).
// Deadlock-free: the pending first attempt earliest in the plan is first at its sender and at its receiver.

export class ReceiverOrder {
  private readonly queues: Job[][];
  /** Per receiver: the length of its prefix of done jobs. */
  private readonly heads: number[];

  /** `jobs` in plan order. */
  constructor(jobs: readonly Job[], receivers: number) {
    this.queues = Array.from({ length: receivers }, () => []);
    this.heads = new Array<number>(receivers).fill(0);
    for (const job of jobs) this.queues[job.receiver]!.push(job);
  }

  /** Whether no first attempt earlier in the plan into the same receiver is still waiting to start. */
  isNext(job: Job): boolean {
    if (job.attempts > 0) return true;
    const queue = this.queues[job.receiver]!;
    let head = this.heads[job.receiver]!;
    while (head < queue.length && queue[head]!.state === 'done') head++;
    this.heads[job.receiver] = head;
    for (let position = head; position < queue.length; position++) {
      const other = queue[position]!;
      if (other === job) return true;
      if (other.state === 'pending' && other.attempts === 0) return false;
    }
    return true;
  }
}
