import { fmt, type Verdict } from './judge.ts';
import type { Floors } from './floors.ts';
import type { Protocol } from '../model/types.ts';

// The gate's Markdown summary, for a change ticket or a CI job summary: the verdict and the floors in
// two lines, the failing pairs first (a table with the reason and the numbers), then every pair.

export interface MarkdownRun {
  startedAt: number;
  endedAt: number;
  floors: Floors;
  baselineSource?: string;
  servers: number;
}

export function markdownSummary(verdicts: readonly Verdict[], run: MarkdownRun): string {
  const failed = verdicts.filter((v) => v.kind !== 'pass');
  const out: string[] = [];
  const verdict = failed.length === 0 ? '✅ PASS' : '❌ FAIL';
  out.push(`## iperf3-monitor verify: ${verdict}`, '');
  out.push(
    `${verdicts.length} pairs between ${run.servers} nodes, ${verdicts.length - failed.length} passed, ${failed.length} failed; ` +
      `started ${new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, 'Z')}, took ${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s.`,
  );
  out.push('', `Floors: ${floorsText(run.floors, run.baselineSource)}.`, '');
  if (failed.length > 0) {
    out.push('### Failed pairs', '', ...table(failed), '');
  }
  out.push('### All pairs', '', ...table(verdicts), '');
  return out.join('\n');
}

function floorsText(f: Floors, source?: string): string {
  const parts = (Object.entries(f.minMbps) as [Protocol, number][]).map(([p, n]) => `${p.toUpperCase()} ≥ ${fmt(n)} Mbit/s`);
  if (f.baselineRatio !== undefined)
    parts.push(`≥ ${Math.round(f.baselineRatio * 100)} % of each pair's baseline${source ? ` (${source})` : ''}`);
  parts.push('every test must succeed');
  return parts.join('; ');
}

function table(verdicts: readonly Verdict[]): string[] {
  const rows = ['| Source | Destination | Protocol | Mbit/s | Baseline | Required | Result |', '|---|---|---|--:|--:|--:|---|'];
  for (const v of verdicts) {
    const { pair } = v.result;
    const n = (x: number | undefined) => (x === undefined ? '–' : fmt(x));
    const result = v.kind === 'pass' ? `pass${v.reason ? ` (${v.reason})` : ''}` : `**${v.kind}**: ${v.reason}`;
    rows.push(
      `| ${cell(pair.source.node)} | ${cell(pair.destination.node)} | ${pair.protocol} | ${n(v.mbps)} | ${n(v.baselineMbps)} | ${n(v.requiredMbps)} | ${cell(result)} |`,
    );
  }
  return rows;
}

/** A table cell: pipes escaped, line breaks folded, long iperf3 messages cut. */
const cell = (s: string) => {
  const t = s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
};
