import type { Pair, PairResult, TestOutcome } from '../model/types.ts';
import type { Clock } from './clock.ts';

// Runs a cycle's tests with bounded concurrency so that a concurrent cycle reads the same numbers
// as a sequential one: never two tests into one server (iperf3 serves one client; the second gets
// "busy"), never two tests out of one sender (they would share its NIC).
//
// Each sender works through its tests in plan order (rotation rounds: i → i+1, i+2, …). A test starts
// as soon as its own two ends are free and a slot is open — no round waits for its slowest test. A
// sender does not jump ahead to a later round when its next destination is busy: jumping ahead is
// locally greedy but takes a receiver that another sender needs next, and the cycle then ends with
// a tail of leftovers. In order, equal tests finish at exactly the floor: (N−1)·D when c ≥ N,
// ⌈N(N−1)/c⌉·D below. Pure orchestration: the clock and the test itself are passed in.

export interface ScheduleOptions {
  /** Tests in flight at most. */
  concurrency: number;
  /** One test per node at a time (in either direction) instead of full duplex. */
  exclusive: boolean;
  /** Unix ms by which every test must have ended; tests that cannot make it are skipped. */
  deadline?: number;
  /** Expected wall time of one test, used to decide whether it can still finish before the deadline. */
  expectedMs: number;
  /**
   * How often a "busy" answer (another client), a refused connection (a server restarting) or a reset
   * control connection is retried, with backoff, before it counts as a failure.
   */
  busyRetries: number;
  /** Wait before retry number `attempt` (1-based). */
  backoffMs: (attempt: number) => number;
}

export type ScheduleEvent =
  | { type: 'start'; index: number; pair: Pair; at: number; attempt: number }
  | { type: 'end'; index: number; pair: Pair; at: number; result?: PairResult };

export interface ScheduleDeps {
  clock: Clock;
  /** Runs one test; resolves with its outcome (never rejects for a failed test), honours `signal`. */
  runTest: (pair: Pair, signal: AbortSignal) => Promise<TestOutcome>;
  onEvent?: (event: ScheduleEvent) => void;
}

interface Job {
  index: number;
  src: number;
  dst: number;
  attempts: number;
  notBefore: number;
  state: 'pending' | 'running' | 'done';
}

/** Resolves with one result per pair, in the order of `pairs`. Rejects only on a bug. */
export function runSchedule(
  pairs: readonly Pair[],
  opts: ScheduleOptions,
  deps: ScheduleDeps,
  signal?: AbortSignal,
): Promise<PairResult[]> {
  const { clock } = deps;
  const nodeIndex = new Map<string, number>();
  const idx = (node: string) => {
    let i = nodeIndex.get(node);
    if (i === undefined) nodeIndex.set(node, (i = nodeIndex.size));
    return i;
  };
  const jobs: Job[] = pairs.map((p, index) => ({
    index,
    src: idx(p.source.node),
    dst: idx(p.destination.node),
    attempts: 0,
    notBefore: 0,
    state: 'pending',
  }));
  const n = nodeIndex.size;
  const results: (PairResult | undefined)[] = new Array(pairs.length);

  // Per sender: its jobs in priority (plan) order, with a cursor past the finished prefix.
  const queues: Job[][] = Array.from({ length: n }, () => []);
  const heads = new Array<number>(n).fill(0);
  const remaining = new Array<number>(n).fill(0);
  for (const j of jobs) {
    queues[j.src]!.push(j);
    remaining[j.src]!++;
  }
  const sending = new Array<boolean>(n).fill(false);
  const receiving = new Array<boolean>(n).fill(false);
  /** Destinations that timed out once: later tests to them fail at once with this message. */
  const down = new Map<number, string>();
  let inFlight = 0;
  let open = jobs.length;

  // Free senders with work, bucketed by how much work they have left: the sender with the most
  // left goes first, so the cycle does not end on a few senders working alone.
  const buckets: Set<number>[] = [];
  let maxBucket = 0;
  const addFree = (s: number) => {
    const r = remaining[s]!;
    if (r === 0 || sending[s]) return;
    (buckets[r] ??= new Set()).add(s);
    if (r > maxBucket) maxBucket = r;
  };
  const removeFree = (s: number) => buckets[remaining[s]!]?.delete(s);
  for (let s = 0; s < n; s++) addFree(s);

  // Stop everything at the deadline or on the caller's signal; the reason becomes the skip reason.
  const stop = new AbortController();
  const stopReason = (): 'deadline' | 'aborted' => (stop.signal.reason === 'deadline' ? 'deadline' : 'aborted');
  const onAbort = () => stop.abort('aborted');
  if (signal?.aborted) stop.abort('aborted');
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timers = new AbortController();
  if (opts.deadline !== undefined) {
    clock
      .sleep(Math.max(0, opts.deadline - clock.now()), timers.signal)
      .then(() => stop.abort('deadline'), () => {});
  }

  return new Promise<PairResult[]>((resolve, reject) => {
    let wakeAt = Infinity;
    stop.signal.addEventListener('abort', () => pump(), { once: true });

    const busy = (s: number, d: number) =>
      opts.exclusive ? sending[s] || receiving[s] || sending[d] || receiving[d] : sending[s] || receiving[d];

    const settle = (j: Job, r: Omit<PairResult, 'pair' | 'attempts'>) => {
      if (j.state === 'pending') {
        removeFree(j.src);
        remaining[j.src]!--;
        addFree(j.src);
      }
      j.state = 'done';
      results[j.index] = { pair: pairs[j.index]!, attempts: j.attempts, ...r };
      open--;
    };
    const skipAll = (reason: 'deadline' | 'aborted') => {
      for (const j of jobs) if (j.state === 'pending') settle(j, { status: 'skipped', skipped: reason, startedAt: 0, finishedAt: 0 });
    };

    const start = (j: Job) => {
      const pair = pairs[j.index]!;
      removeFree(j.src);
      remaining[j.src]!--;
      j.state = 'running';
      j.attempts++;
      sending[j.src] = true;
      receiving[j.dst] = true;
      inFlight++;
      const startedAt = clock.now();
      deps.onEvent?.({ type: 'start', index: j.index, pair, at: startedAt, attempt: j.attempts });
      let outcome: Promise<TestOutcome>;
      try {
        outcome = deps.runTest(pair, stop.signal);
      } catch (e) {
        outcome = Promise.reject(e);
      }
      outcome
        .catch((e: unknown): TestOutcome => ({ ok: false, kind: 'exec', message: e instanceof Error ? e.message : String(e) }))
        .then((o) => finish(j, o, startedAt))
        .catch(reject);
    };

    const finish = (j: Job, o: TestOutcome, startedAt: number) => {
      const pair = pairs[j.index]!;
      const at = clock.now();
      sending[j.src] = false;
      receiving[j.dst] = false;
      inFlight--;
      j.state = 'pending'; // until decided below
      remaining[j.src]!++;
      if (o.ok) {
        settle(j, { status: 'success', measurement: o.measurement, startedAt, finishedAt: at });
      } else if (o.kind === 'aborted' || (stop.signal.aborted && o.kind === 'timeout')) {
        settle(j, { status: 'skipped', skipped: stopReason(), startedAt, finishedAt: at });
      } else if (
        (o.kind === 'busy' || o.kind === 'refused' || o.kind === 'reset') &&
        j.attempts <= opts.busyRetries &&
        !stop.signal.aborted &&
        (opts.deadline === undefined || at + opts.backoffMs(j.attempts) + opts.expectedMs <= opts.deadline)
      ) {
        j.notBefore = at + opts.backoffMs(j.attempts);
      } else {
        // A server that hung or stayed closed costs one test's worth of time, not one per sender.
        if (o.kind === 'timeout' || o.kind === 'refused') {
          const what = o.kind === 'timeout' ? 'timed out' : 'was refused';
          down.set(j.dst, `not tested: an earlier ${pair.protocol} test from ${pair.source.node} to ${pair.destination.node} ${what} (${o.message})`);
        }
        const message = j.attempts > 1 ? `${o.message} (after ${j.attempts} attempts)` : o.message;
        settle(j, { status: 'failure', failure: { kind: o.kind, message }, startedAt, finishedAt: at });
      }
      if (j.state === 'pending') addFree(j.src);
      deps.onEvent?.({ type: 'end', index: j.index, pair, at, result: results[j.index] });
      pump();
    };

    /**
     * Sender `s`'s next job if it can start now. Jobs into dead servers are failed on the way; a job
     * waiting out a retry backoff is stepped over (its server is busy or restarting anyway).
     */
    const firstStartable = (s: number, now: number): Job | undefined => {
      const q = queues[s]!;
      let h = heads[s]!;
      while (h < q.length && q[h]!.state === 'done') h++;
      heads[s] = h;
      for (let k = h; k < q.length; k++) {
        const j = q[k]!;
        if (j.state !== 'pending') continue;
        const why = down.get(j.dst);
        if (why !== undefined) {
          // Stamped with now: the pair was judged in this run, so the pair budget counts it as tested.
          settle(j, { status: 'failure', failure: { kind: 'unreachable', message: why }, startedAt: now, finishedAt: now });
          deps.onEvent?.({ type: 'end', index: j.index, pair: pairs[j.index]!, at: now, result: results[j.index] });
          continue;
        }
        if (j.notBefore > now) {
          if (j.notBefore < wakeAt) armWake(j.notBefore, now);
          continue;
        }
        return busy(j.src, j.dst) ? undefined : j;
      }
      return undefined;
    };

    const armWake = (at: number, now: number) => {
      wakeAt = at;
      clock.sleep(at - now, timers.signal).then(
        () => {
          if (wakeAt === at) wakeAt = Infinity;
          pump();
        },
        () => {},
      );
    };

    const pump = () => {
      if (stop.signal.aborted) skipAll(stopReason());
      const now = clock.now();
      if (!stop.signal.aborted && opts.deadline !== undefined && now + opts.expectedMs > opts.deadline) skipAll('deadline');
      for (let r = maxBucket; r > 0 && inFlight < opts.concurrency; r--) {
        const bucket = buckets[r];
        if (!bucket) continue;
        for (const s of bucket) {
          if (inFlight >= opts.concurrency) break;
          const j = firstStartable(s, now);
          if (j) start(j);
        }
      }
      while (maxBucket > 0 && !buckets[maxBucket]?.size) maxBucket--;
      if (open === 0 && inFlight === 0) {
        signal?.removeEventListener('abort', onAbort);
        timers.abort();
        resolve(results as PairResult[]);
      }
    };

    pump();
  });
}
