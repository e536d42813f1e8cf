// The values that flow through the pipeline: discover → plan → schedule/execute → parse → metrics → push.

export type Protocol = 'tcp' | 'udp';

/** Which network a server listens on: the node's own (hostNetwork) or the pod network (the CNI's). */
export type Network = 'host' | 'pod';

/** Where an iperf3 server listens; in Kubernetes also the pod that hosts it (mesh mode execs into it). */
export interface Server {
  node: string;
  ip: string;
  port: number;
  pod?: { namespace: string; name: string; container?: string };
  /** The node's topology.kubernetes.io/zone and /region, when the runner reads nodes (--node-zones). */
  zone?: string;
  region?: string;
  /** The network it listens on; absent: "host" (static targets without `network`, older callers). */
  network?: Network;
}

/** One directed test: a client on `source` sends to the server on `destination`, both on one network. */
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
 * a probe).
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
  /** The server requires iperf3's RSA authentication and the credentials were missing or wrong. */
  | 'auth';

/**
 * Why a test was not run (or not finished): nothing is said about the path, so no result is pushed for
 * it (its earlier result, if any, is kept with its old timestamp). `destination-down` / `source-down`:
 * an end was judged down in this run on evidence (schedule/blame.ts), so the test was not tried.
 */
export type SkipReason = 'deadline' | 'aborted' | 'destination-down' | 'source-down';

/** The outcome of running one iperf3 client once. */
export type TestOutcome =
  | { ok: true; measurement: Measurement }
  | { ok: false; kind: FailureKind; message: string }
  | { ok: false; kind: 'aborted'; message: string };

/** Why a test failed, and iperf3's (or the runner's) words for it. */
export interface Failure {
  kind: FailureKind;
  message: string;
}

interface Attempted {
  pair: Pair;
  /** Unix ms when the final attempt started (0 when never started). */
  startedAt: number;
  /** Unix ms when the final attempt ended (0 when never started). */
  finishedAt: number;
  attempts: number;
  /** Set when the reading was suspected of interference from another test's traffic (run/retest.ts). */
  interference?: PairInterference;
}

/**
 * A reading suspected of interference: `retested` when a re-test alone replaced it (its numbers are
 * the re-test's), `suspect` when it is published as measured (no re-test was possible in time).
 */
export interface PairInterference {
  verdict: 'retested' | 'suspect';
  /** Suspected by the detector, or by its calibration re-test reading higher (false: a calibration re-test that agreed). */
  suspected: boolean;
  /** The suspected full-duplex reading, Mbit/s. */
  firstMbps: number;
  /** What the same cycle showed the path's ends can carry, Mbit/s. */
  referenceMbps: number;
  /** The re-test read more than the tolerance above the suspected reading. */
  confirmed: boolean;
}

/**
 * What became of one planned test: a measurement, a failure with its reason, or a skip with its reason.
 * The `?: never` fields let code read `result.failure?.kind` on any result without a cast.
 */
export type PairResult =
  | (Attempted & { status: 'success'; measurement: Measurement; failure?: never; skipped?: never; message?: never })
  | (Attempted & { status: 'failure'; failure: Failure; measurement?: never; skipped?: never; message?: never })
  | (Attempted & { status: 'skipped'; skipped: SkipReason; message?: string; measurement?: never; failure?: never });

export type PairStatus = PairResult['status'];
