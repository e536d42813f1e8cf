import type { CycleReport } from '../run/cycle.ts';

// `--output json`: one document with every pair's result, for scripts and CI checks. Its shape is a
// public contract, typed here for the code that reads it (tests, the bench).

export interface JsonPair {
  source_node: string;
  destination_node: string;
  protocol: string;
  success: boolean;
  status: 'success' | 'failure' | 'skipped';
  bandwidth_mbps: number | null;
  jitter_ms: number | null;
  lost_packets: number | null;
  packets: number | null;
  retransmits: number | null;
  rtt_seconds: number | null;
  /** "<kind>: <message>" for a failure, "skipped: <reason>" for a skipped test. */
  error: string | null;
  started_at: string | null;
  duration_s: number | null;
  attempts: number;
}

export interface JsonReport {
  started_at: string;
  duration_s: number;
  servers: { node: string; ip: string; port: number }[];
  summary: { pairs: number; success: number; failure: number; skipped: number };
  push: { groups: number; deleted: string[]; errors: string[]; carried: number } | null;
  pairs: JsonPair[];
}

export function jsonReport(r: CycleReport): string {
  const pairs = r.results.map((x): JsonPair => ({
    source_node: x.pair.source.node,
    destination_node: x.pair.destination.node,
    protocol: x.pair.protocol,
    success: x.status === 'success',
    status: x.status,
    bandwidth_mbps: x.measurement?.bandwidthMbps ?? null,
    jitter_ms: x.measurement?.jitterMs ?? null,
    lost_packets: x.measurement?.lostPackets ?? null,
    packets: x.measurement?.packets ?? null,
    retransmits: x.measurement?.retransmits ?? null,
    rtt_seconds: x.measurement?.rttSeconds ?? null,
    error: x.failure ? `${x.failure.kind}: ${x.failure.message}` : x.skipped ? `skipped: ${x.skipped}` : null,
    started_at: x.startedAt > 0 ? new Date(x.startedAt).toISOString() : null,
    duration_s: x.finishedAt > 0 ? (x.finishedAt - x.startedAt) / 1000 : null,
    attempts: x.attempts,
  }));
  const count = (s: string) => r.results.filter((x) => x.status === s).length;
  const doc: JsonReport = {
    started_at: new Date(r.startedAt).toISOString(),
    duration_s: (r.endedAt - r.startedAt) / 1000,
    servers: r.servers.map((s) => ({ node: s.node, ip: s.ip, port: s.port })),
    summary: { pairs: r.results.length, success: count('success'), failure: count('failure'), skipped: count('skipped') },
    push: r.pushed ?? null,
    pairs,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
