import type { Protocol } from '../model/types.ts';
import { fmt, type Verdict } from './judge.ts';
import type { Floors } from './floors.ts';

// The gate's JUnit XML report, for CI systems (GitLab, Jenkins, GitHub test reporters): one
// <testsuite> per protocol, one <testcase> per directed pair named "source → destination". A pair that
// failed its floor, whose test failed, or that was not tested is a <failure> whose type is the verdict
// (below-floor, below-baseline, test-failed, not-tested) and whose text carries the numbers.

export interface JunitRun {
  startedAt: number;
  endedAt: number;
  floors: Floors;
  /** Where the baseline came from, for the report's properties ("pushgateway http://…"). */
  baselineSource?: string;
}

export function junitReport(verdicts: readonly Verdict[], run: JunitRun): string {
  const protocols = [...new Set(verdicts.map((v) => v.result.pair.protocol))] as Protocol[];
  const failures = verdicts.filter((v) => v.kind !== 'pass').length;
  const time = secs(run.endedAt - run.startedAt);
  const timestamp = new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, '');
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="iperf3-monitor verify" tests="${verdicts.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`,
  );
  for (const protocol of protocols) {
    const mine = verdicts.filter((v) => v.result.pair.protocol === protocol);
    const fails = mine.filter((v) => v.kind !== 'pass').length;
    out.push(
      `  <testsuite name="iperf3-monitor verify ${protocol}" tests="${mine.length}" failures="${fails}" errors="0" skipped="0" time="${time}" timestamp="${timestamp}">`,
    );
    out.push('    <properties>');
    const props: [string, string][] = [['protocol', protocol]];
    const floor = run.floors.minMbps[protocol];
    if (floor !== undefined) props.push(['min_mbps', String(floor)]);
    if (run.floors.baselineRatio !== undefined) props.push(['baseline_ratio', String(run.floors.baselineRatio)]);
    if (run.baselineSource) props.push(['baseline_source', run.baselineSource]);
    for (const [k, val] of props) out.push(`      <property name="${esc(k)}" value="${esc(val)}"/>`);
    out.push('    </properties>');
    for (const v of mine) {
      const { pair } = v.result;
      const duration = v.result.finishedAt > 0 ? secs(v.result.finishedAt - v.result.startedAt) : '0';
      const open = `    <testcase classname="iperf3-monitor.${protocol}" name="${esc(`${pair.source.node} → ${pair.destination.node}`)}" time="${duration}"`;
      if (v.kind === 'pass') {
        out.push(`${open}>`, `      <system-out>${esc(figures(v))}</system-out>`, '    </testcase>');
      } else {
        out.push(`${open}>`, `      <failure type="${v.kind}" message="${esc(v.reason)}">${esc(figures(v))}</failure>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** The pair's numbers as "key: value" lines. */
function figures(v: Verdict): string {
  const { pair } = v.result;
  const lines = [
    `${pair.source.node} (${pair.source.ip}) → ${pair.destination.node} (${pair.destination.ip}:${pair.destination.port}) ${pair.protocol}`,
  ];
  if (v.mbps !== undefined) lines.push(`measured: ${fmt(v.mbps)} Mbit/s`);
  if (v.floorMbps !== undefined) lines.push(`floor: ${fmt(v.floorMbps)} Mbit/s`);
  if (v.baselineMbps !== undefined) lines.push(`baseline: ${fmt(v.baselineMbps)} Mbit/s`);
  if (v.requiredMbps !== undefined) lines.push(`required: ${fmt(v.requiredMbps)} Mbit/s`);
  if (v.reason) lines.push(`${v.kind === 'pass' ? 'note' : 'reason'}: ${v.reason}`);
  lines.push(`attempts: ${v.result.attempts}`);
  return lines.join('\n');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** XML text and attribute escaping; characters XML 1.0 cannot carry at all are dropped. */
export function esc(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
