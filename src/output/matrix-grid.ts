import type { CycleReport } from '../run/cycle.ts';
import type { PairResult, Protocol } from '../model/types.ts';

// What the terminal table and the HTML page share about a source×destination matrix: its columns
// (every server, and any source without one), its rows per protocol, each cell's result, and the
// colour scale relative to the best path of the matrix: good ≥ 80 %, fair ≥ 50 %, poor below.

export type ShareLevel = 'good' | 'fair' | 'poor';

export interface ProtocolGrid {
  protocol: Protocol;
  /** Source nodes of this protocol's tests, in column order. */
  sources: string[];
  /** Each tested cell's result, by cellKey(source, destination). */
  cells: Map<string, PairResult>;
  /** The best bandwidth of the matrix, Mbit/s (0 when nothing succeeded). */
  bestMbps: number;
}

/** The columns: every discovered server's node, then sources without a server of their own. */
export function matrixNodes(report: CycleReport): string[] {
  return [...new Set([...report.servers.map((server) => server.node), ...report.pairs.map((pair) => pair.source.node)])];
}

export function matrixProtocols(report: CycleReport): Protocol[] {
  return [...new Set(report.pairs.map((pair) => pair.protocol))];
}

export function protocolGrid(report: CycleReport, protocol: Protocol, nodes: readonly string[]): ProtocolGrid {
  const cells = new Map<string, PairResult>();
  for (const result of report.results) {
    if (result.pair.protocol === protocol) cells.set(cellKey(result.pair.source.node, result.pair.destination.node), result);
  }
  const bandwidths = [...cells.values()].map((result) => (result.status === 'success' ? result.measurement.bandwidthMbps : 0));
  const sources = nodes.filter((node) => report.pairs.some((pair) => pair.protocol === protocol && pair.source.node === node));
  return { protocol, sources, cells, bestMbps: Math.max(0, ...bandwidths) };
}

export const cellKey = (source: string, destination: string) => `${source}\0${destination}`;

/** `share`: the cell's bandwidth over the best of its matrix. */
export function shareLevel(share: number): ShareLevel {
  if (share >= 0.8) return 'good';
  return share >= 0.5 ? 'fair' : 'poor';
}
