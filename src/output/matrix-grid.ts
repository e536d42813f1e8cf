import type { CycleReport } from '../run/cycle.ts';
import type { Network, PairResult, Protocol } from '../model/types.ts';
import { networksOf, pairNetwork } from '../model/network.ts';

// What the terminal table and the HTML page share about a source×destination matrix: its columns
// (every server, and any source without one), its rows per protocol, each cell's result, and the
// colour scale relative to the best path of the matrix: good ≥ 80 %, fair ≥ 50 %, poor below. With
// servers on two networks (host and pod) there is one matrix per protocol and network.

export type ShareLevel = 'good' | 'fair' | 'poor';

export interface ProtocolGrid {
  protocol: Protocol;
  /** The network of this matrix, when the run measured two (undefined: one network, one matrix per protocol). */
  network?: Network;
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

/** The networks to draw a matrix for: none named when the run measured one network only. */
export function matrixNetworks(report: CycleReport): (Network | undefined)[] {
  const networks = networksOf([...report.servers, ...report.pairs.map((pair) => pair.source)]);
  return networks.length > 1 ? networks : [undefined];
}

/** `network`: only that network's tests (see matrixNetworks); undefined: every test of the protocol. */
export function protocolGrid(report: CycleReport, protocol: Protocol, nodes: readonly string[], network?: Network): ProtocolGrid {
  const ours = (pair: PairResult['pair']) => pair.protocol === protocol && (network === undefined || pairNetwork(pair) === network);
  const cells = new Map<string, PairResult>();
  for (const result of report.results) {
    if (ours(result.pair)) cells.set(cellKey(result.pair.source.node, result.pair.destination.node), result);
  }
  const bandwidths = [...cells.values()].map((result) => (result.status === 'success' ? result.measurement.bandwidthMbps : 0));
  const sources = nodes.filter((node) => report.pairs.some((pair) => ours(pair) && pair.source.node === node));
  return { protocol, ...(network ? { network } : {}), sources, cells, bestMbps: Math.max(0, ...bandwidths) };
}

/** Every matrix of the report: one per protocol, and per network when there are two. */
export function reportGrids(report: CycleReport, nodes: readonly string[]): ProtocolGrid[] {
  const networks = matrixNetworks(report);
  return matrixProtocols(report).flatMap((protocol) => networks.map((network) => protocolGrid(report, protocol, nodes, network)));
}

/** " (pod network)" after a pair's words when the run measured two networks, else nothing. */
export function networkNote(report: CycleReport, pair: PairResult['pair']): string {
  return matrixNetworks(report).length > 1 ? ` (${pairNetwork(pair)} network)` : '';
}

export const cellKey = (source: string, destination: string) => `${source}\0${destination}`;

/** `share`: the cell's bandwidth over the best of its matrix. */
export function shareLevel(share: number): ShareLevel {
  if (share >= 0.8) return 'good';
  return share >= 0.5 ? 'fair' : 'poor';
}
