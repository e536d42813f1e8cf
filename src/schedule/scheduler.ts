import type { Failure, Network, Pair, PairResult, TestOutcome } from '../model/types.ts';
import { NETWORKS, pairNetwork } from '../model/network.ts';
import type { FailurePolicy } from '../failure/policy.ts';
import type { Clock } from './clock.ts';
import { NodeOccupancy } from './occupancy.ts';
import { Blame } from './blame.ts';
import { SenderQueues, type Job } from './sender-queues.ts';
import { ReceiverOrder } from './receiver-order.ts';
import { stopSignal, type StopSignal } from './stop-signal.ts';

// Runs a cycle's tests with bounded concurrency so that a concurrent cycle reads the same numbers
// as a sequential one: never two tests into one server, never two out of one sender (occupancy.ts).
// Ends are nodes, whatever the network: a node's host- and pod-network tests share its NIC, so they
// share its sending and receiving side too. Blame (who is down) is judged per network: a pod-network
// server that is down says nothing about the node's host-network one.
//
// Each sender works through its tests in plan order (rotation rounds: i → i+1, i+2, …; a run starts
// from its least recently measured round, see plan/staleness.ts). A test starts
// as soon as its own two ends are free and a slot is open — no round waits for its slowest test. A
// sender does not jump ahead to a later round when its next destination is busy: jumping ahead is
// locally greedy but takes a receiver that another sender needs next, and the cycle then ends with
// a tail of leftovers. Receivers keep to the order too (receiver-order.ts): a first attempt starts
// only when no earlier one into its receiver waits, so rounds a hung server or a deadline disturbed stay
// rounds. In order, equal tests finish at exactly the floor: (N−1)·D when c ≥ N, ⌈N(N−1)/c⌉·D below.
// The clock, the test itself and the failure policy are passed in.

export interface ScheduleOptions {
  /** Tests in flight at most. */
  concurrency: number;
  /** One test per node at a time (in either direction) instead of full duplex. */
  exclusive: boolean;
  /** Unix ms by which every test must have ended; tests that cannot make it are skipped. */
  deadline?: number;
  /** Expected wall time of one test, used to decide whether it can still finish before the deadline. */
  expectedMs: number;
  /** Which failures are retried (and after how long) and which count as evidence that an end is down. */
  policy: FailurePolicy;
  /**
   * --max-pairs: tests to try at most, the first ones in the given order. A test skipped because an end
   * was judged down does not count: the next one in order takes its place, so a dead server's pairs
   * do not eat the others' share. Tests past the budget are left out of the results.
   */
  budget?: number;
}

export type ScheduleEvent =
  | { type: 'start'; index: number; pair: Pair; at: number; attempt: number }
  /** `result` is undefined when the attempt failed and the test waits for a retry. */
  | { type: 'end'; index: number; pair: Pair; at: number; result?: PairResult };

export interface ScheduleDeps {
  clock: Clock;
  /** Runs one test; resolves with its outcome (never rejects for a failed test), honours `signal`. */
  runTest: (pair: Pair, signal: AbortSignal) => Promise<TestOutcome>;
  onEvent?: (event: ScheduleEvent) => void;
}

/** A result before it is stamped with its pair and attempt count. */
type Unstamped<Result> = Result extends unknown ? Omit<Result, 'pair' | 'attempts'> : never;
type Settlement = Unstamped<PairResult>;

/** Resolves with one result per pair (with a budget, per pair taken), in the order of `pairs`. Rejects only on a bug. */
export function runSchedule(
  pairs: readonly Pair[],
  opts: ScheduleOptions,
  deps: ScheduleDeps,
  signal?: AbortSignal,
): Promise<PairResult[]> {
  return new Promise((resolve, reject) => new Schedule(pairs, opts, deps, signal, resolve, reject).advance());
}

/** Node name → small integer, in order of first appearance. */
function indexNodes(pairs: readonly Pair[]): { jobs: Job[]; nodes: number } {
  const indexOf = new Map<string, number>();
  const index = (node: string) => {
    let found = indexOf.get(node);
    if (found === undefined) indexOf.set(node, (found = indexOf.size));
    return found;
  };
  const jobs = pairs.map((pair, position): Job => ({
    index: position,
    sender: index(pair.source.node),
    receiver: index(pair.destination.node),
    attempts: 0,
    notBefore: 0,
    state: 'pending',
  }));
  return { jobs, nodes: indexOf.size };
}

/** The event loop: `advance` starts whatever can start; a test's end decides its fate and advances again. */
class Schedule {
  private readonly jobs: Job[];
  private readonly queues: SenderQueues;
  private readonly receivers: ReceiverOrder;
  private readonly occupancy: NodeOccupancy;
  private readonly blames: ReadonlyMap<Network, Blame>;
  private readonly stop: StopSignal;
  /** Cancels the clock sleeps (deadline, retry wake-ups) once the cycle is over. */
  private readonly timers = new AbortController();
  private readonly results: (PairResult | undefined)[];
  private readonly clock: Clock;
  private inFlight = 0;
  /** Tests skipped because an end was judged down, so far. */
  private skippedByBlame = 0;
  /** One controller per running test, aborted when the cycle stops. */
  private readonly running = new Set<AbortController>();
  private unsettled: number;
  /** When the earliest pending wake-up (for a retry's backoff) fires; Infinity: none armed. */
  private wakeAt = Infinity;
  /** Tests at positions below this may start (the budget, moved on by tests skipped as judged). */
  private cutoff: number;

  constructor(
    private readonly pairs: readonly Pair[],
    private readonly options: ScheduleOptions,
    private readonly deps: ScheduleDeps,
    caller: AbortSignal | undefined,
    private readonly resolve: (results: PairResult[]) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.clock = deps.clock;
    const { jobs, nodes } = indexNodes(pairs);
    this.jobs = jobs;
    this.unsettled = jobs.length;
    this.cutoff = options.budget !== undefined && options.budget > 0 ? Math.min(options.budget, jobs.length) : jobs.length;
    this.results = new Array<PairResult | undefined>(pairs.length);
    this.queues = new SenderQueues(jobs, nodes);
    this.receivers = new ReceiverOrder(jobs, nodes);
    const names: string[] = [];
    for (const job of jobs) {
      names[job.sender] = pairs[job.index]!.source.node;
      names[job.receiver] = pairs[job.index]!.destination.node;
    }
    const named = (network: Network) => (node: number) => `${names[node] ?? String(node)}${network === 'pod' ? ' (pod network)' : ''}`;
    this.blames = new Map(NETWORKS.map((network) => [network, new Blame(named(network))]));
    this.occupancy = new NodeOccupancy(nodes, options.exclusive);
    this.stop = stopSignal(this.clock, options.deadline, caller, this.timers.signal);
    // One listener on the stop signal, whatever the concurrency: each running test has a signal of its
    // own, aborted from here (a listener per test on a shared signal would grow with the tests in flight).
    this.stop.signal.addEventListener(
      'abort',
      () => {
        for (const running of this.running) running.abort(this.stop.signal.reason);
        this.advance();
      },
      { once: true },
    );
  }

  /** One turn of the loop: skip what can no longer run, start what can, resolve when all is settled. */
  advance(): void {
    const now = this.clock.now();
    if (this.stop.signal.aborted) this.skipPending(this.stop.reason());
    else if (this.options.deadline !== undefined && now + this.options.expectedMs > this.options.deadline) this.skipPending('deadline');
    // A pass that skipped tests (an end judged down) may have ended the wait of tests it already
    // stepped over (blame.ts: no work left to give evidence): pass again until nothing more is skipped.
    for (let skipped = -1; skipped !== this.skippedByBlame && this.inFlight < this.options.concurrency;) {
      skipped = this.skippedByBlame;
      for (const sender of this.sendersInTurn()) {
        if (this.inFlight >= this.options.concurrency) break;
        const job = this.nextStartable(sender, now);
        if (job) this.start(job);
      }
    }
    this.queues.compact();
    if (this.inFlight === 0 && this.wakeAt === Infinity && this.cutoff < this.jobs.length) this.leaveOutPastBudget();
    if (this.unsettled === 0 && this.inFlight === 0) {
      this.timers.abort();
      this.resolve(this.results.filter((result) => result !== undefined));
    }
  }

  /**
   * Idle senders with work, in the order they are served: first those whose failure made a node a
   * suspect (their next result says who was at fault, so the suspect's other tests need not wait), then
   * the most work first.
   */
  private *sendersInTurn(): Generator<number> {
    const suspected = [...this.blames.values()].flatMap((blame) => [...blame.witnesses()]);
    const witnesses = new Set(suspected.filter((sender) => this.queues.isIdle(sender)));
    yield* witnesses;
    for (const sender of this.queues.idleSenders()) if (!witnesses.has(sender)) yield sender;
  }

  /**
   * The sender's next test if it can start now. Tests whose end was judged down are skipped on the
   * way; a test waiting out a retry backoff, or into a destination suspected until its suspect sender
   * says more, is stepped over.
   */
  private nextStartable(sender: number, now: number): Job | undefined {
    for (const job of this.queues.unfinished(sender)) {
      if (job.state !== 'pending') continue;
      // A sender's tests are in plan order: the rest of its queue is past the budget too.
      if (job.index >= this.cutoff) return undefined;
      const blame = this.blameOf(job);
      const verdict = blame.verdict(job.sender, job.receiver);
      if (verdict !== undefined) {
        // Not tried: no timestamp, so the pair budget picks it first next run and its earlier result stays.
        this.queues.drop(job);
        this.skippedByBlame++;
        if (job.attempts === 0 && this.cutoff < this.jobs.length) this.cutoff++;
        this.settle(job, { status: 'skipped', skipped: verdict.reason, message: verdict.message, startedAt: 0, finishedAt: 0 });
        this.emitEnd(job, now);
        continue;
      }
      const witnessWork = (other: number, counts: (receiver: number) => boolean) =>
        this.queues.hasWork(other, (pending) => pending.index < this.cutoff && counts(pending.receiver));
      if (blame.awaitsEvidence(job.receiver, witnessWork)) continue;
      if (job.notBefore > now) {
        if (job.notBefore < this.wakeAt) this.wakeUpAt(job.notBefore, now);
        continue;
      }
      return this.occupancy.canStart(job.sender, job.receiver) && this.receivers.isNext(job) ? job : undefined;
    }
    return undefined;
  }

  private start(job: Job): void {
    const pair = this.pairs[job.index]!;
    this.queues.start(job);
    this.occupancy.occupy(job.sender, job.receiver);
    job.attempts++;
    this.inFlight++;
    const startedAt = this.clock.now();
    this.deps.onEvent?.({ type: 'start', index: job.index, pair, at: startedAt, attempt: job.attempts });
    // An async wrapper runs the test at once and turns a synchronous throw into a rejection.
    const controller = new AbortController();
    this.running.add(controller);
    const attempt = async () => this.deps.runTest(pair, controller.signal);
    attempt()
      .catch((error: unknown): TestOutcome => ({
        ok: false,
        kind: 'exec',
        message: error instanceof Error ? error.message : String(error),
      }))
      .then((result) => {
        this.running.delete(controller);
        this.finish(job, result, startedAt);
      })
      .catch(this.reject);
  }

  private finish(job: Job, outcome: TestOutcome, startedAt: number): void {
    const at = this.clock.now();
    this.occupancy.release(job.sender, job.receiver);
    this.inFlight--;
    const retryAt = outcome.ok ? undefined : this.retryAt(outcome.kind, job.attempts, at);
    this.queues.release(job, retryAt !== undefined);
    if (retryAt !== undefined) job.notBefore = retryAt;
    else this.settle(job, this.judge(job, outcome, startedAt, at));
    this.emitEnd(job, at);
    this.advance();
  }

  /** When a failed attempt may be tried again: the policy allows it and it can still finish in time. */
  private retryAt(kind: Failure['kind'] | 'aborted', attempt: number, now: number): number | undefined {
    if (kind === 'aborted' || this.stop.signal.aborted) return undefined;
    const waitMs = this.options.policy.retryAfterMs(kind, attempt);
    if (waitMs === undefined) return undefined;
    const { deadline, expectedMs } = this.options;
    return deadline === undefined || now + waitMs + expectedMs <= deadline ? now + waitMs : undefined;
  }

  /** The final result of a test's last attempt. */
  private judge(job: Job, outcome: TestOutcome, startedAt: number, finishedAt: number): Settlement {
    if (outcome.ok) {
      this.blameOf(job).success(job.sender, job.receiver);
      return { status: 'success', measurement: outcome.measurement, startedAt, finishedAt };
    }
    if (outcome.kind === 'aborted' || (this.stop.signal.aborted && outcome.kind === 'timeout')) {
      return { status: 'skipped', skipped: this.stop.reason(), startedAt, finishedAt };
    }
    const message = job.attempts > 1 ? `${outcome.message} (after ${job.attempts} attempts)` : outcome.message;
    const failure = { kind: outcome.kind, message };
    if (this.options.policy.quarantines(outcome.kind)) this.blameOf(job).failure(job.sender, job.receiver, this.pairs[job.index]!, outcome);
    return { status: 'failure', failure, startedAt, finishedAt };
  }

  private blameOf(job: Job): Blame {
    return this.blames.get(pairNetwork(this.pairs[job.index]!))!;
  }

  /**
   * The cycle stops: every pending test is skipped. One whose end is judged down by now is skipped as
   * judged (the next run counts it as judged, so a dead server's pairs take their turn like the others
   * instead of coming first again), the rest for the stop's reason.
   */
  private skipPending(reason: 'deadline' | 'aborted'): void {
    for (const job of this.jobs) {
      if (job.state !== 'pending') continue;
      this.queues.drop(job);
      if (job.index >= this.cutoff) {
        this.unsettled--;
        continue;
      }
      const verdict = this.blameOf(job).verdict(job.sender, job.receiver);
      const skipped = verdict ? { skipped: verdict.reason, message: verdict.message } : { skipped: reason };
      this.settle(job, { status: 'skipped', ...skipped, startedAt: 0, finishedAt: 0 });
    }
  }

  /** Nothing runs or waits and every test within the budget is settled: the rest are not this run's. */
  private leaveOutPastBudget(): void {
    if (this.jobs.some((job) => job.state === 'pending' && job.index < this.cutoff)) return;
    for (const job of this.jobs) {
      if (job.state !== 'pending') continue;
      this.queues.drop(job);
      this.unsettled--;
    }
  }

  private settle(job: Job, result: Settlement): void {
    this.results[job.index] = { ...result, pair: this.pairs[job.index]!, attempts: job.attempts };
    this.unsettled--;
  }

  private emitEnd(job: Job, at: number): void {
    this.deps.onEvent?.({ type: 'end', index: job.index, pair: this.pairs[job.index]!, at, result: this.results[job.index] });
  }

  private wakeUpAt(at: number, now: number): void {
    this.wakeAt = at;
    const afterWake = () => {
      if (this.wakeAt === at) this.wakeAt = Infinity;
      this.advance();
    };
    this.clock.sleep(at - now, this.timers.signal).then(afterWake, () => {});
  }
}
