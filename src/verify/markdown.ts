import { pairNetwork } from '../model/network.ts';
import type { Verdict } from './judge.ts';
import type { Floors } from './floors.ts';
import type { Protocol } from '../model/types.ts';
import { decimal } from './decimal.ts';

// The gate's Markdown summary, for a change ticket or a CI job summary: the verdict and the floors in
// two lines, the failing pairs first (a table with the reason and the numbers), then every pair.

export interface MarkdownRun {
  startedAt: number;
  endedAt: number;
  floors: Floors;
  baselineSource?: string;
  servers: number;
}

const TABLE_HEAD = ['| Source | Destination | Protocol | Mbit/s | Baseline | Required | Result |', '|---|---|---|--:|--:|--:|---|'];
/** Longest table cell: iperf3's messages can run long. */
const MAX_CELL = 200;

export function markdownSummary(verdicts: readonly Verdict[], run: MarkdownRun): string {
  const failed = verdicts.filter((verdict) => verdict.kind !== 'pass');
  const lines = [`## iperf3-monitor verify: ${failed.length === 0 ? '✅ PASS' : '❌ FAIL'}`, ''];
  const started = new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, 'Z');
  const took = ((run.endedAt - run.startedAt) / 1000).toFixed(1);
  const passedCount = verdicts.length - failed.length;
  const counts = `${verdicts.length} pairs between ${run.servers} nodes, ${passedCount} passed, ${failed.length} failed`;
  lines.push(`${counts}; started ${started}, took ${took} s.`);
  lines.push('', `Floors: ${floorsText(run.floors, run.baselineSource)}.`, '');
  if (failed.length > 0) lines.push('### Failed pairs', '', ...table(failed), '');
  lines.push('### All pairs', '', ...table(verdicts), '');
  return lines.join('\n');
}

function floorsText(floors: Floors, source?: string): string {
  const minimums = Object.entries(floors.minMbps) as [Protocol, number][];
  const parts = minimums.map(([protocol, mbps]) => `${protocol.toUpperCase()} ≥ ${decimal(mbps)} Mbit/s`);
  if (floors.baselineRatio !== undefined) {
    parts.push(`≥ ${Math.round(floors.baselineRatio * 100)} % of each pair's baseline${source ? ` (${source})` : ''}`);
  }
  parts.push('every test must succeed');
  return parts.join('; ');
}

function table(verdicts: readonly Verdict[]): string[] {
  return [...TABLE_HEAD, ...verdicts.map(tableRow)];
}

function tableRow(verdict: Verdict): string {
  const { pair } = verdict.result;
  const figure = (mbps: number | undefined) => (mbps === undefined ? '–' : decimal(mbps));
  const note = verdict.reason ? ` (${verdict.reason})` : '';
  const result = verdict.kind === 'pass' ? `pass${note}` : `**${verdict.kind}**: ${verdict.reason}`;
  const cells = [
    cell(pair.source.node),
    cell(pair.destination.node),
    pairNetwork(pair) === 'pod' ? `${pair.protocol} (pod network)` : pair.protocol,
    figure(verdict.mbps),
    figure(verdict.baselineMbps),
    figure(verdict.requiredMbps),
    cell(result),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** A table cell: pipes escaped, line breaks folded, long iperf3 messages cut. */
function cell(text: string): string {
  const folded = text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
  return folded.length > MAX_CELL ? `${folded.slice(0, MAX_CELL - 1)}…` : folded;
}
