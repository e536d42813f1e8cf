import { Gauge, Registry } from 'prom-client';
import type { PairResult } from '../model/types.ts';
import { PAIR_LABELS, PAIR_METRICS, RUN_METRICS } from './names.ts';
import type { PreviousPair } from '../push/previous-results.ts';
import { countByStatus } from '../model/count-results.ts';
import { buildInfo } from '../build-info.ts';

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
}

export function sourceRegistries(results: readonly PairResult[], carried: readonly PreviousPair[] = []): Map<string, Registry> {
  const regs = new Map<string, Registry>();
  const gauges = new Map<Registry, Record<keyof typeof PAIR_METRICS, Gauge<(typeof PAIR_LABELS)[number]>>>();
  const gaugesOf = (source: string) => {
    let reg = regs.get(source);
    if (!reg) {
      reg = new Registry();
      regs.set(source, reg);
      const g = Object.fromEntries(
        Object.entries(PAIR_METRICS).map(([k, m]) => [k, new Gauge({ ...m, labelNames: PAIR_LABELS, registers: [reg!] })]),
      ) as Record<keyof typeof PAIR_METRICS, Gauge<(typeof PAIR_LABELS)[number]>>;
      gauges.set(reg, g);
    }
    return gauges.get(reg)!;
  };
  const byName = new Map<string, keyof typeof PAIR_METRICS>(
    Object.entries(PAIR_METRICS).map(([k, m]) => [m.name, k as keyof typeof PAIR_METRICS]),
  );
  for (const c of carried) {
    const g = gaugesOf(c.source);
    const labels = { source_node: c.source, destination_node: c.destination, protocol: c.protocol };
    for (const [name, value] of Object.entries(c.values)) {
      const k = byName.get(name);
      if (k) g[k].set(labels, value);
    }
  }
  for (const r of results) {
    if (r.status === 'skipped') continue;
    const g = gaugesOf(r.pair.source.node);
    const labels = { source_node: r.pair.source.node, destination_node: r.pair.destination.node, protocol: r.pair.protocol };
    g.success.set(labels, r.status === 'success' ? 1 : 0);
    if (r.finishedAt > 0) {
      g.timestamp.set(labels, r.finishedAt / 1000);
      g.duration.set(labels, (r.finishedAt - r.startedAt) / 1000);
    }
    if (r.status !== 'success') continue;
    const m = r.measurement;
    g.bandwidth.set(labels, m.bandwidthMbps);
    if (m.jitterMs !== undefined) g.jitter.set(labels, m.jitterMs);
    if (m.packets !== undefined) g.packets.set(labels, m.packets);
    if (m.lostPackets !== undefined) g.lostPackets.set(labels, m.lostPackets);
    if (m.retransmits !== undefined) g.retransmits.set(labels, m.retransmits);
    if (m.rttSeconds !== undefined) g.rtt.set(labels, m.rttSeconds);
  }
  return regs;
}

export function runRegistry(results: readonly PairResult[], s: RunSummary): Registry {
  const reg = new Registry();
  new Gauge({ ...RUN_METRICS.duration, registers: [reg] }).set(s.durationS);
  new Gauge({ ...RUN_METRICS.servers, registers: [reg] }).set(s.servers);
  new Gauge({ ...RUN_METRICS.timestamp, registers: [reg] }).set(s.endedAt / 1000);
  new Gauge({ ...RUN_METRICS.carried, registers: [reg] }).set(s.carried ?? 0);
  const build = new Gauge({ ...RUN_METRICS.buildInfo, labelNames: ['version', 'revision', 'node_version'], registers: [reg] });
  build.set({ version: buildInfo.version, revision: buildInfo.revision, node_version: buildInfo.nodeVersion }, 1);
  const pairs = new Gauge({ ...RUN_METRICS.pairs, labelNames: ['outcome'], registers: [reg] });
  for (const [outcome, count] of Object.entries(countByStatus(results))) pairs.set({ outcome }, count);
  return reg;
}
