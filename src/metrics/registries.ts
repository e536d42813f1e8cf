import { Gauge, Registry } from 'prom-client';
import type { PairResult } from '../model/types.ts';
import { CYCLE_METRICS, PAIR_LABELS, PAIR_METRICS, RUN_METRICS } from './names.ts';
import type { PreviousPair } from '../push/previous-results.ts';
import { countByStatus } from '../model/count-results.ts';
import { buildInfo } from '../build-info.ts';
import { networkOf, pairNetwork } from '../model/network.ts';
import type { CycleSize } from '../plan/sizing.ts';
import type { Coverage } from './coverage.ts';
import { nodeAggregateGauges, type NodeAggregate } from './node-aggregates.ts';

// Results → one fresh registry per source node (its Pushgateway group) plus one for the run. Fresh
// registries, no default process metrics: a short-lived runner's heap size is noise. A failed test
// is iperf_test_success 0 and no bandwidth sample — a failure is not 0 Mbit/s. Skipped tests say
// nothing about their path and produce no sample at all. Results carried over from earlier runs (pairs
// this run did not test) are written back unchanged, with their original timestamp.

export interface RunSummary {
  durationS: number;
  servers: number;
  endedAt: number;
  /** Results of earlier runs written back because their pair was not tested in this one. */
  carried?: number;
  /** The cycle this run can do (plan/sizing.ts). */
  size?: CycleSize;
  /** What the Pushgateway holds fresh results for after this run (metrics/coverage.ts). */
  coverage?: Coverage;
  /** Each node's worst and median bandwidth out and in (metrics/node-aggregates.ts). */
  nodes?: readonly NodeAggregate[];
  /** false with --pair-series remote-write: the skips are per-pair series, sent to the receiver instead. */
  skipSeries?: boolean;
}

/** Pair labels when the runner knows zones: source_zone and destination_zone too. */
export const ZONE_LABELS = ['source_zone', 'destination_zone'] as const;
type PairLabel = (typeof PAIR_LABELS)[number] | (typeof ZONE_LABELS)[number];

/** `zones`: node → topology.kubernetes.io/zone, when the runner read nodes (--node-zones); adds the zone labels. */
export function sourceRegistries(
  results: readonly PairResult[],
  carried: readonly PreviousPair[] = [],
  zones?: ReadonlyMap<string, string>,
): Map<string, Registry> {
  const regs = new Map<string, Registry>();
  const labelNames: readonly PairLabel[] = zones ? [...PAIR_LABELS, ...ZONE_LABELS] : PAIR_LABELS;
  const pairLabels = (source: string, destination: string, protocol: string, network: string): Partial<Record<PairLabel, string>> => {
    const labels = { source_node: source, destination_node: destination, protocol, network };
    return zones ? { ...labels, source_zone: zones.get(source) ?? '', destination_zone: zones.get(destination) ?? '' } : labels;
  };
  const gauges = new Map<Registry, Record<keyof typeof PAIR_METRICS, Gauge<PairLabel>>>();
  const gaugesOf = (source: string) => {
    let reg = regs.get(source);
    if (!reg) {
      reg = new Registry();
      regs.set(source, reg);
      const metrics = Object.fromEntries(
        Object.entries(PAIR_METRICS).map(([key, metric]) => [key, new Gauge({ ...metric, labelNames, registers: [reg!] })]),
      ) as Record<keyof typeof PAIR_METRICS, Gauge<PairLabel>>;
      gauges.set(reg, metrics);
    }
    return gauges.get(reg)!;
  };
  const byName = new Map<string, keyof typeof PAIR_METRICS>(
    Object.entries(PAIR_METRICS).map(([key, metric]) => [metric.name, key as keyof typeof PAIR_METRICS]),
  );
  for (const earlier of carried) {
    const metrics = gaugesOf(earlier.source);
    const labels = pairLabels(earlier.source, earlier.destination, earlier.protocol, earlier.network);
    for (const [name, value] of Object.entries(earlier.values)) {
      const key = byName.get(name);
      if (key) metrics[key].set(labels, value);
    }
  }
  for (const result of results) {
    if (result.status === 'skipped') continue;
    const metrics = gaugesOf(result.pair.source.node);
    const labels = pairLabels(result.pair.source.node, result.pair.destination.node, result.pair.protocol, pairNetwork(result.pair));
    metrics.success.set(labels, result.status === 'success' ? 1 : 0);
    if (result.finishedAt > 0) {
      metrics.timestamp.set(labels, result.finishedAt / 1000);
      metrics.duration.set(labels, (result.finishedAt - result.startedAt) / 1000);
    }
    if (result.status !== 'success') continue;
    const measurement = result.measurement;
    metrics.bandwidth.set(labels, measurement.bandwidthMbps);
    if (measurement.jitterMs !== undefined) metrics.jitter.set(labels, measurement.jitterMs);
    if (measurement.packets !== undefined) metrics.packets.set(labels, measurement.packets);
    if (measurement.lostPackets !== undefined) metrics.lostPackets.set(labels, measurement.lostPackets);
    if (measurement.retransmits !== undefined) metrics.retransmits.set(labels, measurement.retransmits);
    if (measurement.rttSeconds !== undefined) metrics.rtt.set(labels, measurement.rttSeconds);
    if (result.pair.protocol === 'tcp') {
      metrics.retested.set(labels, result.interference?.verdict === 'retested' ? 1 : 0);
      metrics.suspect.set(labels, result.interference?.verdict === 'suspect' ? 1 : 0);
    }
  }
  return regs;
}

export function runRegistry(results: readonly PairResult[], summary: RunSummary): Registry {
  const reg = new Registry();
  new Gauge({ ...RUN_METRICS.duration, registers: [reg] }).set(summary.durationS);
  new Gauge({ ...RUN_METRICS.servers, registers: [reg] }).set(summary.servers);
  new Gauge({ ...RUN_METRICS.timestamp, registers: [reg] }).set(summary.endedAt / 1000);
  new Gauge({ ...RUN_METRICS.carried, registers: [reg] }).set(summary.carried ?? 0);
  new Gauge({ ...RUN_METRICS.suspected, registers: [reg] }).set(results.filter((result) => result.interference?.suspected).length);
  const retests = results.filter((result) => result.interference?.verdict === 'retested').length;
  new Gauge({ ...RUN_METRICS.retests, registers: [reg] }).set(retests);
  const build = new Gauge({ ...RUN_METRICS.buildInfo, labelNames: ['version', 'revision', 'node_version'], registers: [reg] });
  build.set({ version: buildInfo.version, revision: buildInfo.revision, node_version: buildInfo.nodeVersion }, 1);
  // In the run group, replaced every cycle: a skip is news of this cycle only, never carried over.
  const skipped = new Gauge({ ...RUN_METRICS.skipped, labelNames: [...PAIR_LABELS, 'reason'], registers: [reg] });
  for (const result of results) {
    if (result.status !== 'skipped' || summary.skipSeries === false) continue;
    const { source, destination, protocol } = result.pair;
    const network = networkOf(source);
    skipped.set({ source_node: source.node, destination_node: destination.node, protocol, network, reason: result.skipped }, 1);
  }
  if (summary.size) sizeGauges(reg, summary.size);
  if (summary.coverage) coverageGauges(reg, summary.coverage);
  if (summary.nodes) nodeAggregateGauges(reg, summary.nodes);
  const pairs = new Gauge({ ...RUN_METRICS.pairs, labelNames: ['outcome'], registers: [reg] });
  for (const [outcome, count] of Object.entries(countByStatus(results))) pairs.set({ outcome }, count);
  return reg;
}

function sizeGauges(reg: Registry, size: CycleSize): void {
  new Gauge({ ...CYCLE_METRICS.concurrency, registers: [reg] }).set(size.concurrency);
  new Gauge({ ...CYCLE_METRICS.testsPerRun, registers: [reg] }).set(size.testsPerRun);
  new Gauge({ ...CYCLE_METRICS.runsToCover, registers: [reg] }).set(size.runsToCover);
  // Only a known schedule makes the period wall time: without it the alert on it would fire on every gap.
  if (size.periodKnown) new Gauge({ ...CYCLE_METRICS.coveragePeriod, registers: [reg] }).set(size.coveragePeriodS);
  if (!size.zoned) return;
  const runs = new Gauge({ ...CYCLE_METRICS.zoneRunsToCover, labelNames: ['pairs'], registers: [reg] });
  runs.set({ pairs: 'in_zone' }, size.zoned.inZoneRuns);
  runs.set({ pairs: 'cross_zone' }, size.zoned.crossZoneRuns);
  if (!size.periodKnown) return;
  const period = new Gauge({ ...CYCLE_METRICS.zoneCoveragePeriod, labelNames: ['pairs'], registers: [reg] });
  period.set({ pairs: 'in_zone' }, size.zoned.inZonePeriodS);
  period.set({ pairs: 'cross_zone' }, size.zoned.crossZonePeriodS);
}

function coverageGauges(reg: Registry, coverage: Coverage): void {
  new Gauge({ ...CYCLE_METRICS.coveragePairs, registers: [reg] }).set(coverage.pairs);
  new Gauge({ ...CYCLE_METRICS.coverageUnmeasured, registers: [reg] }).set(coverage.unmeasured);
  new Gauge({ ...CYCLE_METRICS.coverageRatio, registers: [reg] }).set(coverage.measuredRatio);
  new Gauge({ ...CYCLE_METRICS.coverageOldest, registers: [reg] }).set(coverage.oldestAgeS);
}
