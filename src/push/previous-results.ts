import type { Protocol } from '../model/types.ts';
import { PAIR_METRICS } from '../metrics/names.ts';
import type { Sample } from './exposition.ts';

// What the Pushgateway holds before this run, read in one streaming pass over its /metrics: every
// group (from the push_time_seconds sample the gateway keeps per group), and per pair of this job
// its last samples — when it was last tested (for the pair budget) and the values to carry over when
// this run does not test it (a PUT replaces a whole source group).

export interface PreviousPair {
  source: string;
  destination: string;
  protocol: Protocol;
  /** Unix seconds of the measurement (iperf_test_timestamp_seconds). */
  timestamp: number;
  /** Metric name → value, for every per-pair metric the group had. */
  values: Record<string, number>;
}

export interface GatewayState {
  /** Grouping labels of every group, of every job. */
  groups: Record<string, string>[];
  /** This job's pairs, keyed by previousKey. */
  previous: Map<string, PreviousPair>;
}

const PAIR_NAMES = new Set<string>(Object.values(PAIR_METRICS).map((m) => m.name));

export async function readGatewayState(samples: AsyncIterable<Sample>, job: string): Promise<GatewayState> {
  const groups: Record<string, string>[] = [];
  const previous = new Map<string, PreviousPair>();
  for await (const s of samples) {
    if (s.name === 'push_time_seconds') {
      // The gateway adds instance="" to groups whose key has no instance; it is not part of the key.
      const { instance, ...key } = s.labels;
      groups.push(instance ? s.labels : key);
      continue;
    }
    if (!PAIR_NAMES.has(s.name)) continue;
    const l = s.labels;
    if (l.job !== job || !l.source_node || !l.destination_node || (l.protocol !== 'tcp' && l.protocol !== 'udp') || !Number.isFinite(s.value)) continue;
    const k = previousKey(l.source_node, l.destination_node, l.protocol);
    let p = previous.get(k);
    if (!p) previous.set(k, (p = { source: l.source_node, destination: l.destination_node, protocol: l.protocol, timestamp: NaN, values: {} }));
    p.values[s.name] = s.value;
    if (s.name === PAIR_METRICS.timestamp.name) p.timestamp = s.value;
  }
  for (const [k, p] of previous) if (!Number.isFinite(p.timestamp)) previous.delete(k); // no freshness, no trust
  return { groups, previous };
}

export function previousKey(source: string, destination: string, protocol: string): string {
  return `${source}\u0000${destination}\u0000${protocol}`;
}
