import type { FailureKind } from '../model/types.ts';

// The failure policy, in one place: what an iperf3 error message means (classification), which
// failed attempts get another try and after how long (the retry decision and its backoff curve), and
// which final failures are evidence that an end is down (weighed by schedule/blame.ts). The scheduler
// is handed a policy; it decides only when, never whether.

/** iperf3's own "error" text → why the test failed. iperf3 3.12 exits 0 with -J on all of these. */
export function classifyIperfError(message: string): FailureKind {
  if (/busy/i.test(message)) return 'busy';
  if (/refused/i.test(message)) return 'refused';
  if (/reset by peer|closed unexpectedly/i.test(message)) return 'reset';
  if (/authori[sz]ation failed|authenticat/i.test(message)) return 'auth';
  return 'iperf-error';
}

export interface FailurePolicy {
  /** Wait before trying a test again after failed attempt number `attempt` (1-based); undefined: no retry. */
  retryAfterMs(kind: FailureKind, attempt: number): number | undefined;
  /** Whether a final failure of this kind is evidence that the server (or the source) is gone for this run. */
  quarantines(kind: FailureKind): boolean;
}

export interface FailurePolicyOptions {
  /**
   * How often a "busy" answer (another client), a refused connection (a server restarting) or a reset
   * control connection is retried before it counts as a failure.
   */
  retries: number;
  /** Wait before retry number `attempt` (1-based). */
  backoffMs?: (attempt: number) => number;
}

/** 1 s, 2 s, 4 s, then 8 s for every further retry. */
export function exponentialBackoff(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 8000);
}

/** A server busy with another client or restarting is worth waiting for: those failures pass. */
const TRANSIENT: ReadonlySet<FailureKind> = new Set(['busy', 'refused', 'reset']);
/** A server that hung or stayed closed: once blamed, it costs one test's worth of time, not one per sender. */
const SERVER_GONE: ReadonlySet<FailureKind> = new Set(['timeout', 'refused']);

export function failurePolicy({ retries, backoffMs = exponentialBackoff }: FailurePolicyOptions): FailurePolicy {
  return {
    retryAfterMs: (kind, attempt) => (TRANSIENT.has(kind) && attempt <= retries ? backoffMs(attempt) : undefined),
    quarantines: (kind) => SERVER_GONE.has(kind),
  };
}
