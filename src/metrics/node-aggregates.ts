import { Gauge, type Registry } from 'prom-client';
import type { PairResult } from '../model/types.ts';
import { pairKey, previousKey, type PreviousPair } from '../push/previous-results.ts';
import { networkOf } from '../model/network.ts';
import { PAIR_METRICS } from './names.ts';

// Per-node aggregates, O(N) series whatever the mesh: each node's worst and median bandwidth out (as
// a sender) and in (as a receiver), per protocol, over the latest result of each of its pairs — this
// run's and the earlier ones still held. A dashboard or an alert over 1000 nodes reads 8 000 series
// instead of a million. Per network too (label network, "host" or "pod"): a node's pod-network
// readings are not mixed with its host-network ones.

export const NODE_AGGREGATE = {
  name: 'iperf_node_bandwidth_mbps',
  help:
    "Each node's worst (stat=min) and median (stat=median) goodput over the latest result of each of its pairs, " +
    'as sender (direction=out) or receiver (direction=in), per network (host or pod), in Mbit/s.',
} as const;

export interface NodeAggregate {
  node: string;
  direction: 'out' | 'in';
  protocol: string;
  network: string;
  min: number;
  median: number;
  pairs: number;
}

/** `earlier`: results of earlier runs still valid (live nodes, not expired); this run's supersede them. */
export function nodeAggregates(results: readonly PairResult[], earlier: Iterable<PreviousPair> = []): NodeAggregate[] {
  const latest = new Map<string, { source: string; destination: string; protocol: string; network: string; value: number | undefined }>();
  for (const pair of earlier) {
    const value = pair.values[PAIR_METRICS.bandwidth.name];
    latest.set(previousKey(pair.source, pair.destination, pair.protocol, pair.network), { ...pair, value });
  }
  for (const result of results) {
    if (result.status === 'skipped') continue;
    const { source, destination, protocol } = result.pair;
    const value = result.status === 'success' ? result.measurement.bandwidthMbps : undefined; // a failure is no reading
    latest.set(pairKey(result.pair), { source: source.node, destination: destination.node, protocol, network: networkOf(source), value });
  }
  const groups = new Map<string, { node: string; direction: 'out' | 'in'; protocol: string; network: string; values: number[] }>();
  const add = (node: string, direction: 'out' | 'in', protocol: string, network: string, value: number) => {
    const key = `${node}\u0000${direction}\u0000${protocol}\u0000${network}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { node, direction, protocol, network, values: [] }));
    group.values.push(value);
  };
  for (const { source, destination, protocol, network, value } of latest.values()) {
    if (value === undefined || !Number.isFinite(value)) continue;
    add(source, 'out', protocol, network, value);
    add(destination, 'in', protocol, network, value);
  }
  return [...groups.values()].map(({ node, direction, protocol, network, values }) => {
    const sorted = values.sort((left, right) => left - right);
    const middle = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return { node, direction, protocol, network, min: sorted[0]!, median, pairs: sorted.length };
  });
}

export function nodeAggregateGauges(reg: Registry, aggregates: readonly NodeAggregate[]): void {
  const gauge = new Gauge({ ...NODE_AGGREGATE, labelNames: ['node', 'direction', 'protocol', 'network', 'stat'], registers: [reg] });
  for (const { node, direction, protocol, network, min, median } of aggregates) {
    gauge.set({ node, direction, protocol, network, stat: 'min' }, min);
    gauge.set({ node, direction, protocol, network, stat: 'median' }, median);
  }
}
