// What running one iperf3 client produced, however it was run (local process, pods/exec): the raw
// material the parser classifies. Nothing here is interpreted yet.

export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** Undefined when the process never reported an exit (killed, exec stream broken). */
  exitCode?: number;
  /** Killed by our per-test timeout. */
  timedOut?: boolean;
  /** Killed because the run was aborted (SIGTERM, deadline). */
  aborted?: boolean;
  /** The client could not be started at all (binary missing, exec refused). */
  startError?: { kind: 'spawn' | 'exec'; message: string };
  /** The timeout that applied, for messages. */
  timeoutMs: number;
}

/** Runs `iperf3 <args>` on the source node of a test, however this deployment reaches it. */
export type ClientRunner = (
  node: import('../model/types.ts').Pair,
  args: string[],
  opts: { timeoutMs: number; signal: AbortSignal },
) => Promise<ProcessOutcome>;
