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
    if (failedExit) return { ok: false, kind: 'exit-code', message: `iperf3 exited with code ${exitCode}${tail(stderr || stdout)}` };
    return { ok: false, kind: 'unparsable', message: `iperf3 printed no complete JSON document${tail(stdout || stderr)}` };
  }
  if (typeof doc.error === 'string') return { ok: false, kind: classifyIperfError(doc.error), message: doc.error };
  if (failedExit) return { ok: false, kind: 'exit-code', message: `iperf3 exited with code ${exitCode}${tail(stderr)}` };
  const measurement = protocol === 'udp' ? udpMeasurement(doc) : tcpMeasurement(doc);
  if (typeof measurement === 'string') return { ok: false, kind: 'unparsable', message: measurement };
  return { ok: true, measurement };
}

function tcpMeasurement(doc: Record<string, unknown>): Measurement | string {
  const end = obj(doc.end);
  const received = obj(end.sum_received);
  const bps = num(received.bits_per_second);
  if (bps === undefined) return 'iperf3 JSON has no end.sum_received.bits_per_second';
  const m: Measurement = { bandwidthMbps: bps / 1e6 };
  const retransmits = num(obj(end.sum_sent).retransmits);
  if (retransmits !== undefined) m.retransmits = retransmits;
  // mean_rtt is per stream, in microseconds, and 0 where this side was not the sender (-R).
  const rtts = (Array.isArray(end.streams) ? end.streams : [])
    .map((s) => num(obj(obj(s).sender).mean_rtt))
    .filter((v): v is number => v !== undefined && v > 0);
  if (rtts.length > 0) m.rttSeconds = rtts.reduce((a, b) => a + b, 0) / rtts.length / 1e6;
  return m;
}

function udpMeasurement(doc: Record<string, unknown>): Measurement | string {
  const end = obj(doc.end);
  // 3.12+ report the receiver's side in sum_received; older versions only in sum.
  const received = isObject(end.sum_received) ? end.sum_received : obj(end.sum);
  const bps = num(received.bits_per_second);
  if (bps === undefined) return 'iperf3 JSON has no end.sum_received.bits_per_second';
  const m: Measurement = { bandwidthMbps: bps / 1e6 };
  const jitter = num(received.jitter_ms);
  const packets = num(received.packets);
  const lost = num(received.lost_packets);
  if (jitter !== undefined) m.jitterMs = jitter;
  if (packets !== undefined) m.packets = packets;
  if (lost !== undefined) m.lostPackets = lost;
  return m;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function tail(text: string): string {
  const t = text.trim().split('\n').slice(-2).join(' ').slice(-300);
  return t ? `: ${t}` : '';
}
