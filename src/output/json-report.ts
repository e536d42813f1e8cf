import type { CycleReport } from '../run/cycle.ts';
import type { PairResult } from '../model/types.ts';
import { countByStatus } from '../model/count-results.ts';
import { networkOf, pairNetwork } from '../model/network.ts';

// `--output json`: one document with every pair's result, for scripts and CI checks. Its shape is a
// public contract, typed here for the code that reads it (tests, the bench).

export interface JsonPair {
  source_node: string;
  destination_node: string;
  protocol: string;
  /** "host" or "pod": which servers the pair was measured between. */
  network: string;
  success: boolean;
  status: 'success' | 'failure' | 'skipped';
  bandwidth_mbps: number | null;
  jitter_ms: number | null;
  lost_packets: number | null;
  packets: number | null;
  retransmits: number | null;
  rtt_seconds: number | null;
  /** "<kind>: <message>" for a failure, "skipped: <reason>" (and why, when known) for a skipped test. */
  error: string | null;
  /** Why a test was not tried: destination-down, source-down (an end judged down), deadline, aborted; null when tried. */
  skip_reason: string | null;
  started_at: string | null;
  duration_s: number | null;
  attempts: number;
  /** ok: measured and not suspected; retested: the full-duplex reading was suspected, this is the re-test
   * alone; suspect: suspected of interference and not re-tested (budget, deadline, failed re-test). */
  quality: 'ok' | 'retested' | 'suspect';
  /** The suspected full-duplex reading, when the pair was suspected. */
  first_bandwidth_mbps: number | null;
}

export interface JsonInterference {
  suspected: number;
  retested: number;
  confirmed: number;
  unresolved: number;
  retest_s: number;
}

export interface JsonReport {
  started_at: string;
  duration_s: number;
  servers: { node: string; ip: string; port: number; network: string }[];
  summary: { pairs: number; success: number; failure: number; skipped: number };
  /** What the interference check found and did; null with --interference off. */
  interference: JsonInterference | null;
  push: { groups: number; deleted: string[]; errors: string[]; carried: number } | null;
  pairs: JsonPair[];
}

export function jsonReport(report: CycleReport): string {
  const doc: JsonReport = {
    started_at: new Date(report.startedAt).toISOString(),
    duration_s: (report.endedAt - report.startedAt) / 1000,
    servers: report.servers.map((server) => ({ node: server.node, ip: server.ip, port: server.port, network: networkOf(server) })),
    summary: { pairs: report.results.length, ...countByStatus(report.results) },
    interference: report.interference
      ? {
          suspected: report.interference.suspected,
          retested: report.interference.retested,
          confirmed: report.interference.confirmed,
          unresolved: report.interference.unresolved,
          retest_s: report.interference.retestS,
        }
      : null,
    push: report.pushed ?? null,
    pairs: report.results.map(jsonPair),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function jsonPair(result: PairResult): JsonPair {
  const measurement = result.status === 'success' ? result.measurement : undefined;
  return {
    source_node: result.pair.source.node,
    destination_node: result.pair.destination.node,
    protocol: result.pair.protocol,
    network: pairNetwork(result.pair),
    success: result.status === 'success',
    status: result.status,
    bandwidth_mbps: measurement?.bandwidthMbps ?? null,
    jitter_ms: measurement?.jitterMs ?? null,
    lost_packets: measurement?.lostPackets ?? null,
    packets: measurement?.packets ?? null,
    retransmits: measurement?.retransmits ?? null,
    rtt_seconds: measurement?.rttSeconds ?? null,
    error: errorText(result),
    skip_reason: result.status === 'skipped' ? result.skipped : null,
    started_at: result.startedAt > 0 ? new Date(result.startedAt).toISOString() : null,
    duration_s: result.finishedAt > 0 ? (result.finishedAt - result.startedAt) / 1000 : null,
    attempts: result.attempts,
    quality: result.interference?.verdict ?? 'ok',
    first_bandwidth_mbps: result.interference?.firstMbps ?? null,
  };
}

function errorText(result: PairResult): string | null {
  if (result.status === 'failure') return `${result.failure.kind}: ${result.failure.message}`;
  if (result.status === 'skipped') return `skipped: ${result.skipped}${result.message ? `: ${result.message}` : ''}`;
  return null;
}
