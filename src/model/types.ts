// The values that flow through the pipeline: discover → plan → schedule/execute → parse → metrics → push.

export type Protocol = 'tcp' | 'udp';

/** Where an iperf3 server listens; in Kubernetes also the pod that hosts it (mesh mode execs into it). */
export interface Server {
  node: string;
  ip: string;
  port: number;
  pod?: { namespace: string; name: string; container?: string };
}

/** One directed test: a client on `source` sends to the server on `destination`. */
export interface Pair {
  source: Server;
  destination: Server;
  protocol: Protocol;
}

/** What a successful test measured; bandwidth is the receiver's goodput. */
export interface Measurement {
  bandwidthMbps: number;
  jitterMs?: number;
  packets?: number;
  lostPackets?: number;
  retransmits?: number;
  rttSeconds?: number;
}

/**
 * Why a test failed. `busy`: the server was serving someone else; `reset`: the control connection was
 * reset or closed under the test (a server restarting, or iperf3 3.12 briefly reopening its socket after
 * a probe); `unreachable`: an earlier test to the same server timed out or was refused, so this one was
 * failed without spending that time again.
 */
export type FailureKind =
  | 'timeout'
  | 'busy'
  | 'refused'
  | 'reset'
  | 'iperf-error'
  | 'unparsable'
  | 'exit-code'
  | 'spawn'
  | 'exec'
  | 'unreachable'
  /** The server requires iperf3's RSA authentication and the credentials were missing or wrong. */
  | 'auth';

/** Why a test was not run (or not finished): nothing is said about the path, so nothing is pushed. */
export type SkipReason = 'deadline' | 'aborted';

/** The outcome of running one iperf3 client once. */
export type TestOutcome =
  | { ok: true; measurement: Measurement }
  | { ok: false; kind: FailureKind; message: string }
  | { ok: false; kind: 'aborted'; message: string };

export interface PairResult {
  pair: Pair;
  status: 'success' | 'failure' | 'skipped';
  measurement?: Measurement;
  failure?: { kind: FailureKind; message: string };
  skipped?: SkipReason;
  /** Unix ms when the final attempt started (0 when never started). */
  startedAt: number;
  /** Unix ms when the final attempt ended (0 when never started). */
  finishedAt: number;
  attempts: number;
}
