import type { Protocol } from '../model/types.ts';
import { PAIR_METRICS } from '../metrics/names.ts';

// What the Pushgateway still holds from earlier runs of this job, per pair: when each pair was last
// tested (for the per-run pair budget) and its samples (carried over when this run does not test it,
// since a PUT replaces the whole source group).

export interface PreviousPair {
  source: string;
  destination: string;
  protocol: Protocol;
  /** Unix seconds of the measurement (iperf_test_timestamp_seconds). */
  timestamp: number;
  /** Metric name → value, for every per-pair metric the group had. */
  values: Record<string, number>;
}

/** One group as the Pushgateway's /api/v1/metrics lists it. */
export interface ApiGroup {
  labels?: Record<string, string>;
  [metric: string]: unknown;
}

const PAIR_NAMES = new Set<string>(Object.values(PAIR_METRICS).map((m) => m.name));

export function previousPairs(groups: readonly ApiGroup[], job: string): Map<string, PreviousPair> {
  const out = new Map<string, PreviousPair>();
  for (const g of groups) {
    if (g.labels?.job !== job || g.labels.source_node === undefined) continue;
    for (const [name, family] of Object.entries(g)) {
      if (!PAIR_NAMES.has(name)) continue;
      const samples = (family as { metrics?: { labels?: Record<string, string>; value?: string }[] }).metrics ?? [];
      for (const s of samples) {
        const l = s.labels ?? {};
        const value = Number(s.value);
        if (!l.source_node || !l.destination_node || (l.protocol !== 'tcp' && l.protocol !== 'udp') || !Number.isFinite(value)) continue;
        const key = previousKey(l.source_node, l.destination_node, l.protocol);
        let p = out.get(key);
        if (!p) out.set(key, (p = { source: l.source_node, destination: l.destination_node, protocol: l.protocol, timestamp: NaN, values: {} }));
        p.values[name] = value;
        if (name === PAIR_METRICS.timestamp.name) p.timestamp = value;
      }
    }
  }
  for (const [k, p] of out) if (!Number.isFinite(p.timestamp)) out.delete(k); // no freshness, no trust
  return out;
}

export function previousKey(source: string, destination: string, protocol: string): string {
  return `${source}\u0000${destination}\u0000${protocol}`;
}
