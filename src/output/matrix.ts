import type { CycleReport } from '../run/cycle.ts';
import type { Protocol } from '../model/types.ts';
import { countByStatus } from '../model/count-results.ts';

// `--output table`: a source×destination matrix of Mbit/s per protocol, failures listed under it.
// Colours (on a TTY) are relative to the best path of the matrix: green ≥ 80 %, yellow ≥ 50 %, red below.

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

type Paint = (code: string, text: string) => string;

export function renderMatrix(report: CycleReport, color: boolean): string {
  const paint: Paint = (code, text) => (color ? `${code}${text}${ANSI.reset}` : text);
  const nodes = [...new Set([...report.servers.map((server) => server.node), ...report.pairs.map((pair) => pair.source.node)])];
  const protocols = [...new Set(report.pairs.map((pair) => pair.protocol))];
  const lines = protocols.flatMap((protocol) => protocolTable(report, protocol, nodes, paint));
  lines.push(...failures(report, paint), summary(report, paint));
  return lines.join('\n') + '\n';
}

/** One protocol's matrix, then a blank line. */
function protocolTable(report: CycleReport, protocol: Protocol, nodes: string[], paint: Paint): string[] {
  const cells = new Map<string, string>();
  const values = new Map<string, number>();
  for (const result of report.results) {
    if (result.pair.protocol !== protocol) continue;
    const key = `${result.pair.source.node}\0${result.pair.destination.node}`;
    if (result.status === 'success') {
      values.set(key, result.measurement.bandwidthMbps);
      cells.set(key, result.measurement.bandwidthMbps.toFixed(1));
    } else cells.set(key, result.status === 'failure' ? 'FAIL' : 'skip');
  }
  const best = Math.max(0, ...values.values());
  const sources = nodes.filter((node) => report.pairs.some((pair) => pair.protocol === protocol && pair.source.node === node));
  const width = Math.max(8, ...nodes.map((node) => node.length)) + 2;
  const pad = (text: string) => text.padStart(width);
  const cell = (src: string, dst: string) => {
    if (dst === src) return paint(ANSI.dim, pad('-'));
    const text = cells.get(`${src}\0${dst}`);
    if (text === undefined) return paint(ANSI.dim, pad('·'));
    const value = values.get(`${src}\0${dst}`);
    if (value === undefined) return paint(text === 'FAIL' ? ANSI.red : ANSI.dim, pad(text));
    const ratio = best > 0 ? value / best : 1;
    return paint(ratio >= 0.8 ? ANSI.green : ratio >= 0.5 ? ANSI.yellow : ANSI.red, pad(text));
  };
  return [
    paint(ANSI.bold, `${protocol.toUpperCase()} Mbit/s (rows: source, columns: destination)`),
    pad('') + nodes.map(pad).join(''),
    ...sources.map((src) => pad(src) + nodes.map((dst) => cell(src, dst)).join('')),
    '',
  ];
}

function failures(report: CycleReport, paint: Paint): string[] {
  const failed = report.results.flatMap((result) => (result.status === 'failure' ? [result] : []));
  if (failed.length === 0) return [];
  const lines = failed.map(
    ({ pair, failure }) =>
      `  ${pair.source.node} → ${pair.destination.node} ${pair.protocol}: ${paint(ANSI.red, failure.kind)} ${failure.message}`,
  );
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
