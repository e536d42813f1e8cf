import type { CycleReport } from '../run/cycle.ts';
import { countByStatus } from '../model/count-results.ts';
import { cellKey, matrixNodes, networkNote, reportGrids, shareLevel, type ProtocolGrid, type ShareLevel } from './matrix-grid.ts';

// `--output table`: a source×destination matrix of Mbit/s per protocol (and network, when the run
// measured the host and the pod network), failures listed under it.
// Colours (on a TTY) are relative to the best path of the matrix: green ≥ 80 %, yellow ≥ 50 %, red below.

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

type Paint = (code: string, text: string) => string;

export function renderMatrix(report: CycleReport, color: boolean): string {
  const paint: Paint = (code, text) => (color ? `${code}${text}${ANSI.reset}` : text);
  const nodes = matrixNodes(report);
  const lines = reportGrids(report, nodes).flatMap((grid) => protocolTable(grid, nodes, paint));
  lines.push(...failures(report, paint), summary(report, paint));
  return lines.join('\n') + '\n';
}

const LEVEL_COLOUR: Record<ShareLevel, string> = { good: ANSI.green, fair: ANSI.yellow, poor: ANSI.red };

/** One protocol's matrix, then a blank line. */
function protocolTable(grid: ProtocolGrid, nodes: string[], paint: Paint): string[] {
  const width = Math.max(8, ...nodes.map((node) => node.length)) + 2;
  const pad = (text: string) => text.padStart(width);
  const cell = (src: string, dst: string) => {
    if (dst === src) return paint(ANSI.dim, pad('-'));
    const result = grid.cells.get(cellKey(src, dst));
    if (result === undefined) return paint(ANSI.dim, pad('·'));
    if (result.status === 'failure') return paint(ANSI.red, pad('FAIL'));
    if (result.status === 'skipped') return paint(ANSI.dim, pad('skip'));
    const mbps = result.measurement.bandwidthMbps;
    const share = grid.bestMbps > 0 ? mbps / grid.bestMbps : 1;
    return paint(LEVEL_COLOUR[shareLevel(share)], pad(mbps.toFixed(1)));
  };
  return [
    paint(
      ANSI.bold,
      `${grid.protocol.toUpperCase()} Mbit/s${grid.network ? `, ${grid.network} network` : ''} (rows: source, columns: destination)`,
    ),
    pad('') + nodes.map(pad).join(''),
    ...grid.sources.map((src) => pad(src) + nodes.map((dst) => cell(src, dst)).join('')),
    '',
  ];
}

function failures(report: CycleReport, paint: Paint): string[] {
  const failed = report.results.flatMap((result) => (result.status === 'failure' ? [result] : []));
  if (failed.length === 0) return [];
  const lines = failed.map(({ pair, failure }) => {
    const path = `${pair.source.node} → ${pair.destination.node} ${pair.protocol}${networkNote(report, pair)}`;
    return `  ${path}: ${paint(ANSI.red, failure.kind)} ${failure.message}`;
  });
  return [paint(ANSI.bold, 'Failed:'), ...lines, ''];
}

function summary(report: CycleReport, paint: Paint): string {
  const { pushed } = report;
  const deleted = pushed?.deleted.length ? `, deleted ${pushed.deleted.length}` : '';
  const push = !pushed
    ? ''
    : pushed.errors.length > 0
      ? paint(ANSI.red, `; push FAILED (${pushed.errors.length} errors)`)
      : `; pushed ${pushed.groups} groups${deleted}`;
  const counts = countByStatus(report.results);
  const seconds = ((report.endedAt - report.startedAt) / 1000).toFixed(1);
  const tests = `${report.results.length} tests: ${counts.success} ok, ${counts.failure} failed, ${counts.skipped} skipped`;
  return `${tests} in ${seconds} s${push}`;
}
