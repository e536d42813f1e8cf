import type { Measurement, Protocol, TestOutcome } from '../model/types.ts';
import type { ProcessOutcome } from '../exec/process-outcome.ts';
import { extractJson } from './extract-json.ts';

// Turns what one iperf3 client produced into a result, failure first: a run that was killed, never
// started, or carries iperf3's own "error" key is a failure whatever else it printed — iperf3 3.12
// exits 0 with -J on "busy" and "connection refused", and its failure JSON has "end": {}.
// Bandwidth is the receiver's goodput (end.sum_received), never the sender's offered rate.

export function parseResult(p: ProcessOutcome, protocol: Protocol): TestOutcome {
  if (p.aborted) return { ok: false, kind: 'aborted', message: 'aborted before it finished' };
  if (p.timedOut) return { ok: false, kind: 'timeout', message: `no result within ${p.timeoutMs / 1000} s` };
  if (p.startError) return { ok: false, kind: p.startError.kind, message: p.startError.message };

  const doc = extractJson(p.stdout);
  if (!isObject(doc)) {
    // iperf3 refuses to start a client with a user name but no password (IPERF3_PASSWORD) or no key.
    const auth = /(you )?must specify (a )?username[^\n]*/i.exec(p.stderr);
    if (auth) return { ok: false, kind: 'auth', message: `iperf3: ${auth[0].trim()} (IPERF3_PASSWORD is not set where the client runs, or the public key is unreadable)` };
    if (p.exitCode !== undefined && p.exitCode !== 0) {
      return { ok: false, kind: 'exit-code', message: `iperf3 exited with code ${p.exitCode}${tail(p.stderr || p.stdout)}` };
    }
    return { ok: false, kind: 'unparsable', message: `iperf3 printed no complete JSON document${tail(p.stdout || p.stderr)}` };
  }
  if (typeof doc.error === 'string') {
    const e = doc.error;
    if (/busy/i.test(e)) return { ok: false, kind: 'busy', message: e };
    if (/refused/i.test(e)) return { ok: false, kind: 'refused', message: e };
    if (/reset by peer|closed unexpectedly/i.test(e)) return { ok: false, kind: 'reset', message: e };
    if (/authori[sz]ation failed|authenticat/i.test(e)) return { ok: false, kind: 'auth', message: `${e} (the server requires iperf3 authentication: check --auth-username, the password and the server's users file)` };
    return { ok: false, kind: 'iperf-error', message: e };
  }
  if (p.exitCode !== undefined && p.exitCode !== 0) {
    return { ok: false, kind: 'exit-code', message: `iperf3 exited with code ${p.exitCode}${tail(p.stderr)}` };
  }
  const m = protocol === 'udp' ? udpMeasurement(doc) : tcpMeasurement(doc);
  if (typeof m === 'string') return { ok: false, kind: 'unparsable', message: m };
  return { ok: true, measurement: m };
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
