// Each sender's tests in plan order, and which idle senders have work, most work left first: the
// scheduler serves the sender with the most tests left before the others, so that a cycle does not
// end on a few senders working alone. Senders and receivers are small integers (see node-index.ts).

export interface Job {
  /** Position of the test in the plan (and in the results). */
  index: number;
  sender: number;
  receiver: number;
  attempts: number;
  /** Unix ms before which a retry must not start (its backoff). */
  notBefore: number;
  state: 'pending' | 'running' | 'done';
}

export class SenderQueues {
  private readonly queues: Job[][];
  /** Per sender: the length of its prefix of done jobs, so that each is stepped over once. */
  private readonly heads: number[];
  /** Per sender: how many of its jobs are pending. */
  private readonly pending: number[];
  private readonly sending: boolean[];
  /** Idle senders with pending jobs, bucketed by how many. */
  private readonly buckets: Set<number>[] = [];
  private maxBucket = 0;

  constructor(jobs: readonly Job[], senders: number) {
    this.queues = Array.from({ length: senders }, () => []);
    this.heads = new Array<number>(senders).fill(0);
    this.pending = new Array<number>(senders).fill(0);
    this.sending = new Array<boolean>(senders).fill(false);
    for (const job of jobs) {
      this.queues[job.sender]!.push(job);
      this.pending[job.sender]!++;
    }
    for (let sender = 0; sender < senders; sender++) this.addIdle(sender);
  }

  /**
   * Idle senders with pending work, most first. The buckets are live: a sender whose pending count
   * drops while it is visited shows up again in its lower bucket.
   */
  *idleSenders(): Generator<number> {
    for (let work = this.maxBucket; work > 0; work--) {
      const bucket = this.buckets[work];
      if (bucket) yield* bucket;
    }
  }

  /** Forgets empty top buckets; call after a pass over idleSenders. */
  compact(): void {
    while (this.maxBucket > 0 && !this.buckets[this.maxBucket]?.size) this.maxBucket--;
  }

  /** The sender's jobs from the first one not done, in plan order (later done ones included). */
  *unfinished(sender: number): Generator<Job> {
    const queue = this.queues[sender]!;
    let head = this.heads[sender]!;
    while (head < queue.length && queue[head]!.state === 'done') head++;
    this.heads[sender] = head;
    for (let position = head; position < queue.length; position++) yield queue[position]!;
  }

  /** Whether the sender is idle with pending work (one of idleSenders). */
  isIdle(sender: number): boolean {
    return !this.sending[sender] && this.pending[sender]! > 0;
  }

  /** Whether the sender is running a test or has a pending one that `counts`. */
  hasWork(sender: number, counts: (job: Job) => boolean): boolean {
    if (this.sending[sender]) return true;
    for (const job of this.unfinished(sender)) if (job.state === 'pending' && counts(job)) return true;
    return false;
  }

  /** A pending job starts: its sender is busy until `release`. */
  start(job: Job): void {
    this.removeIdle(job.sender);
    this.pending[job.sender]!--;
    this.sending[job.sender] = true;
    job.state = 'running';
  }

  /** A running job ended: done, or pending again for a retry. Its sender is idle again. */
  release(job: Job, retry: boolean): void {
    if (retry) this.pending[job.sender]!++;
    job.state = retry ? 'pending' : 'done';
    this.sending[job.sender] = false;
    this.addIdle(job.sender);
  }

  /** A pending job is settled without running (an end was judged down, the cycle stopped). */
  drop(job: Job): void {
    this.removeIdle(job.sender);
    this.pending[job.sender]!--;
    job.state = 'done';
    this.addIdle(job.sender);
  }

  private addIdle(sender: number): void {
    const work = this.pending[sender]!;
    if (work === 0 || this.sending[sender]) return;
    (this.buckets[work] ??= new Set()).add(sender);
    if (work > this.maxBucket) this.maxBucket = work;
  }

  private removeIdle(sender: number): void {
    this.buckets[this.pending[sender]!]?.delete(sender);
  }
}
