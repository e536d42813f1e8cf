import type { CycleReport } from '../run/cycle.ts';
import type { PairResult, SkipReason } from '../model/types.ts';
import { countByStatus } from '../model/count-results.ts';
import { nodesOf, pairNetwork } from '../model/network.ts';
import { escapeHtml } from './html-escape.ts';
import { htmlMatrix } from './html-matrix.ts';
import { HTML_STYLE } from './html-style.ts';
import { matrixNodes, matrixProtocols, networkNote, reportGrids } from './matrix-grid.ts';

// `--output html FILE`: one self-contained page for runs outside a cluster (bare metal, a laptop, the
// lab) where there is no Grafana: the source×destination colour matrix per protocol, the failures and
// the run's figures (one matrix per protocol and network when the run measured the host and the pod
// network). Inline CSS only, no script, no font or image to fetch, and a Content-Security-Policy
// that forbids every fetch, so the page opens the same offline, from a mail or a ticket.
// Colours are relative to the best path of the matrix, as in the terminal table: good ≥ 80 %,
// fair ≥ 50 %, poor below; failed and skipped tests have their own.

const FOOTNOTE = 'Colours are relative to the best path of each matrix; hover a cell for its figures.';
const FAILURES_HEAD = ['Source', 'Destination', 'Protocol', 'Outcome', 'Message', 'Attempts'].map((name) => `<th>${name}</th>`).join('');

export function htmlReport(report: CycleReport, generatedAt = report.endedAt): string {
  const nodes = matrixNodes(report);
  const protocols = matrixProtocols(report);
  const started = utc(report.startedAt);
  const nodeCount = nodesOf(report.servers).length;
  const title = `iperf3-monitor: ${nodeCount} nodes, ${started}`;
  const tested = protocols.map((protocol) => protocol.toUpperCase()).join(' + ') || 'no tests';
  const subtitle = `${nodeCount} nodes · ${tested} · ${started}`;
  const body = [
    `<header><h1>iperf3-monitor</h1><p class="sub">${escapeHtml(subtitle)}</p></header>`,
    runFigures(report),
    ...reportGrids(report, nodes).map((grid) => htmlMatrix(grid, nodes)),
    failureTable(report),
    `<footer>Written by iperf3-monitor at ${escapeHtml(utc(generatedAt))}. ${FOOTNOTE}</footer>`,
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

/** The run's figures, each a `data-figure` box. */
function runFigures(report: CycleReport): string {
  const counts = countByStatus(report.results);
  const tested = report.results.length;
  const figures: [string, string, string][] = [
    ['started', 'Started', utc(report.startedAt)],
    ['duration', 'Cycle time', `${((report.endedAt - report.startedAt) / 1000).toFixed(1)} s`],
    ['servers', 'Servers', String(report.servers.length)],
    ['tests', 'Tests', report.planned > tested ? `${tested} of ${report.planned} planned` : String(tested)],
    ['success', 'Succeeded', String(counts.success)],
    ['failure', 'Failed', String(counts.failure)],
    ['skipped', 'Skipped', String(counts.skipped)],
  ];
  const { pushed } = report;
  if (pushed) {
    const errors = pushed.errors.length;
    figures.push(['push', 'Pushgateway', errors ? `push failed (${errors} errors)` : `pushed ${pushed.groups} groups`]);
  }
  const boxes = figures.map(
    ([id, label, value]) => `<div data-figure="${id}"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`,
  );
  return ['<section><h2>Run</h2><dl class="figures">', ...boxes, '</dl></section>'].join('\n');
}

/** Every test that did not succeed, with iperf3's (or the runner's) words for it. */
function failureTable(report: CycleReport): string {
  const failed = report.results.filter((result): result is NotSucceeded => result.status !== 'success');
  if (failed.length === 0)
    return ['<section><h2>Failures</h2>', '<p class="none" id="no-failures">Every test succeeded.</p>', '</section>'].join('\n');
  const head = `<table class="failures" id="failures"><thead><tr>${FAILURES_HEAD}</tr></thead><tbody>`;
  const rows = failed.map((result) => failureRow(result, networkNote(report, result.pair)));
  return ['<section><h2>Failures</h2>', head, ...rows, '</tbody></table>', '</section>'].join('\n');
}

/** What each skip reason says about the path (nothing was measured, so nothing was pushed for it). */
const SKIP_MEANING: Record<SkipReason, string> = {
  deadline: 'not run before the deadline',
  aborted: 'not run: the run was stopped by a signal',
  'destination-down': 'not tried: the destination was judged down in this run (other tests to it failed)',
  'source-down': 'not tried: the source was judged down in this run (its tests to other nodes failed)',
};

/** A test that failed or was skipped. */
type NotSucceeded = Exclude<PairResult, { status: 'success' }>;

/** `note`: the pair's network in words, when the run measured two (see networkNote). */
function failureRow(result: NotSucceeded, note: string): string {
  const { pair } = result;
  const [kind, message] =
    result.status === 'failure'
      ? [result.failure.kind, result.failure.message]
      : [`skipped (${result.skipped})`, result.message ?? SKIP_MEANING[result.skipped]];
  const source = escapeHtml(pair.source.node);
  const destination = escapeHtml(pair.destination.node);
  const ends = `data-source="${source}" data-destination="${destination}"`;
  const network = note ? ` data-network="${pairNetwork(pair)}"` : '';
  const data = `${ends} data-protocol="${pair.protocol}"${network} data-kind="${escapeHtml(kind)}"`;
  const cells = [
    source,
    destination,
    `${pair.protocol}${note}`,
    `<code>${escapeHtml(kind)}</code>`,
    escapeHtml(message),
    String(result.attempts),
  ];
  return `<tr ${data}>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}
