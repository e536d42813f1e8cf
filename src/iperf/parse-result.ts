import type { Measurement, Protocol, TestOutcome } from '../model/types.ts';
import type { ProcessOutcome } from '../exec/process-outcome.ts';
import { extractJson } from './extract-json.ts';
import { classifyIperfError } from '../failure/policy.ts';

// Turns what one iperf3 client produced into a result, failure first: a run that was killed, never
// started, or carries iperf3's own "error" key is a failure whatever else it printed — iperf3 3.12
// exits 0 with -J on "busy" and "connection refused", and its failure JSON has "end": {}.
// Bandwidth is the receiver's goodput (end.sum_received), never the sender's offered rate.

export function parseResult(outcome: ProcessOutcome, protocol: Protocol): TestOutcome {
  switch (outcome.ended) {
    case 'aborted':
      return { ok: false, kind: 'aborted', message: 'aborted before it finished' };
    case 'timed-out':
      return { ok: false, kind: 'timeout', message: `no result within ${outcome.timeoutMs / 1000} s` };
    case 'not-started':
      return { ok: false, kind: outcome.via, message: outcome.message };
    case 'exited':
      return parseOutput(outcome, protocol);
  }
}

function parseOutput({ stdout, stderr, exitCode }: Extract<ProcessOutcome, { ended: 'exited' }>, protocol: Protocol): TestOutcome {
  const failedExit = exitCode !== undefined && exitCode !== 0;
  const doc = extractJson(stdout);
  if (!isObject(doc)) {
    const refused = missingCredentials(stderr);
    if (refused) return refused;
    if (failedExit) return { ok: false, kind: 'exit-code', message: `iperf3 exited with code ${exitCode}${tail(stderr || stdout)}` };
    return { ok: false, kind: 'unparsable', message: `iperf3 printed no complete JSON document${tail(stdout || stderr)}` };
  }
  if (typeof doc.error === 'string') {
    const kind = classifyIperfError(doc.error);
    return { ok: false, kind, message: kind === 'auth' ? `${doc.error}${AUTH_REFUSED_HINT}` : doc.error };
  }
  if (failedExit) return { ok: false, kind: 'exit-code', message: `iperf3 exited with code ${exitCode}${tail(stderr)}` };
  const measurement = protocol === 'udp' ? udpMeasurement(doc) : tcpMeasurement(doc);
  if (typeof measurement === 'string') return { ok: false, kind: 'unparsable', message: measurement };
  return { ok: true, measurement };
}

const AUTH_REFUSED_HINT = " (the server requires iperf3 authentication: check --auth-username, the password and the server's users file)";
const NO_CREDENTIALS_HINT = ' (IPERF3_PASSWORD is not set where the client runs, or the public key is unreadable)';

/** iperf3 refuses to start a client with a user name but no password (IPERF3_PASSWORD) or no key: an auth failure. */
function missingCredentials(stderr: string): TestOutcome | undefined {
  const refusal = /(you )?must specify (a )?username[^\n]*/i.exec(stderr);
  return refusal ? { ok: false, kind: 'auth', message: `iperf3: ${refusal[0].trim()}${NO_CREDENTIALS_HINT}` } : undefined;
}

function tcpMeasurement(doc: Record<string, unknown>): Measurement | string {
  const end = obj(doc.end);
  const received = obj(end.sum_received);
  const bps = num(received.bits_per_second);
  if (bps === undefined) return 'iperf3 JSON has no end.sum_received.bits_per_second';
  const measurement: Measurement = { bandwidthMbps: bps / 1e6 };
  const retransmits = num(obj(end.sum_sent).retransmits);
  if (retransmits !== undefined) measurement.retransmits = retransmits;
  // mean_rtt is per stream, in microseconds, and 0 where this side was not the sender (-R).
  const rtts = (Array.isArray(end.streams) ? end.streams : [])
    .map((stream) => num(obj(obj(stream).sender).mean_rtt))
    .filter((value): value is number => value !== undefined && value > 0);
  if (rtts.length > 0) measurement.rttSeconds = rtts.reduce((sum, rtt) => sum + rtt, 0) / rtts.length / 1e6;
  return measurement;
}

function udpMeasurement(doc: Record<string, unknown>): Measurement | string {
  const end = obj(doc.end);
  // Only the receiver's side is goodput. end.sum is the client's own view: when the client sends, its
  // bits_per_second is the rate it offered (-b), however much arrived, so it is never read as goodput.
  const received = obj(end.sum_received);
  const bps = num(received.bits_per_second);
  if (bps === undefined) {
    const offered = isObject(end.sum) && num(end.sum.bits_per_second) !== undefined;
    return offered
      ? "iperf3 JSON has no end.sum_received.bits_per_second (end.sum holds only the sender's offered rate, not goodput)"
      : 'iperf3 JSON has no end.sum_received.bits_per_second';
  }
  const measurement: Measurement = { bandwidthMbps: bps / 1e6 };
  const jitter = num(received.jitter_ms);
  const packets = num(received.packets);
  const lost = num(received.lost_packets);
  if (jitter !== undefined) measurement.jitterMs = jitter;
  if (packets !== undefined) measurement.packets = packets;
  if (lost !== undefined) measurement.lostPackets = lost;
  return measurement;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function obj(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
function tail(text: string): string {
  const lastLines = text.trim().split('\n').slice(-2).join(' ').slice(-300);
  return lastLines ? `: ${lastLines}` : '';
}
