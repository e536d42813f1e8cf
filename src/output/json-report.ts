import type { CycleReport } from '../run/cycle.ts';

// `--output json`: one document with every pair's result, for scripts and CI checks.

export function jsonReport(r: CycleReport): string {
  const pairs = r.results.map((x) => ({
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
  return (
    JSON.stringify(
      {
        started_at: new Date(r.startedAt).toISOString(),
        duration_s: (r.endedAt - r.startedAt) / 1000,
        servers: r.servers.map((s) => ({ node: s.node, ip: s.ip, port: s.port })),
        summary: { pairs: r.results.length, success: count('success'), failure: count('failure'), skipped: count('skipped') },
        push: r.pushed ?? null,
        pairs,
      },
      null,
      2,
    ) + '\n'
  );
}
