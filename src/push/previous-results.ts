import type { Network, Pair, Protocol } from '../model/types.ts';
import { isNetwork, pairNetwork } from '../model/network.ts';
import { PAIR_METRICS, RUN_METRICS } from '../metrics/names.ts';
import type { Sample } from './exposition.ts';

// What the Pushgateway holds before this run, read in one streaming pass over its /metrics: every
// group (from the push_time_seconds sample the gateway keeps per group), and per pair of this job
// its last samples — when it was last tested (for the pair budget) and the values to carry over when
// this run does not test it (a PUT replaces a whole source group). A pair is keyed by its network
// too; samples pushed before there was a network label are the host network's.

export interface PreviousPair {
  source: string;
  destination: string;
  protocol: Protocol;
  network: Network;
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
  /**
   * Pairs the last run skipped because an end was judged down, keyed by previousKey → that run's unix
   * seconds: the pair budget counts them as judged then, so they do not take the budget every run.
   */
  judgedDown: Map<string, number>;
}

const PAIR_NAMES = new Set<string>(Object.values(PAIR_METRICS).map((metric) => metric.name));

export async function readGatewayState(samples: AsyncIterable<Sample>, job: string): Promise<GatewayState> {
  const groups: Record<string, string>[] = [];
  const previous = new Map<string, PreviousPair>();
  const skippedDown: string[] = [];
  let lastRunAt: number | undefined;
  for await (const sample of samples) {
    const { labels } = sample;
    if (sample.name === RUN_METRICS.timestamp.name && labels.job === job && labels.source_node === undefined) lastRunAt = sample.value;
    if (
      sample.name === RUN_METRICS.skipped.name &&
      labels.job === job &&
      (labels.reason === 'destination-down' || labels.reason === 'source-down')
    ) {
      skippedDown.push(
        previousKey(labels.source_node ?? '', labels.destination_node ?? '', labels.protocol ?? '', labels.network ?? 'host'),
      );
    }
    if (sample.name === 'push_time_seconds') {
      // The gateway adds instance="" to groups whose key has no instance; it is not part of the key.
      const { instance, ...key } = sample.labels;
      groups.push(instance ? sample.labels : key);
      continue;
    }
    if (!PAIR_NAMES.has(sample.name)) continue;
    const network = labels.network ?? 'host';
    if (
      !isNetwork(network) ||
      labels.job !== job ||
      !labels.source_node ||
      !labels.destination_node ||
      (labels.protocol !== 'tcp' && labels.protocol !== 'udp') ||
      !Number.isFinite(sample.value)
    )
      continue;
    const key = previousKey(labels.source_node, labels.destination_node, labels.protocol, network);
    let pair = previous.get(key);
    if (!pair)
      previous.set(
        key,
        (pair = {
          source: labels.source_node,
          destination: labels.destination_node,
          protocol: labels.protocol,
          network,
          timestamp: NaN,
          values: {},
        }),
      );
    pair.values[sample.name] = sample.value;
    if (sample.name === PAIR_METRICS.timestamp.name) pair.timestamp = sample.value;
  }
  for (const [key, pair] of previous) if (!Number.isFinite(pair.timestamp)) previous.delete(key); // no freshness, no trust
  const judgedDown = new Map<string, number>(lastRunAt === undefined ? [] : skippedDown.map((key) => [key, lastRunAt]));
  return { groups, previous, judgedDown };
}

export function previousKey(source: string, destination: string, protocol: string, network: string): string {
  return `${source}\u0000${destination}\u0000${protocol}\u0000${network}`;
}

/** The key of a planned pair, as previousKey. */
export function pairKey(pair: Pair): string {
  return previousKey(pair.source.node, pair.destination.node, pair.protocol, pairNetwork(pair));
}
