import type { Pair } from '../model/types.ts';

// What running one iperf3 client produced, however it was run (local process, pods/exec): the raw
// material the parser classifies. Nothing here is interpreted yet.

export type ProcessOutcome =
  /** It ran and ended by itself; `exitCode` is undefined when no exit was reported (killed, exec stream broken). */
  | { ended: 'exited'; stdout: string; stderr: string; exitCode?: number }
  /** Killed by our per-test timeout. */
  | { ended: 'timed-out'; timeoutMs: number }
  /** Killed because the run was aborted (SIGTERM, deadline). */
  | { ended: 'aborted' }
  /** The client could not be started at all (binary missing, exec refused). */
  | { ended: 'not-started'; via: 'spawn' | 'exec'; message: string };

/** Runs `iperf3 <args>` on the source node of `pair`, however this deployment reaches that node. */
export type ClientRunner = (pair: Pair, args: string[], opts: { timeoutMs: number; signal: AbortSignal }) => Promise<ProcessOutcome>;
