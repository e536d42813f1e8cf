import { pairNetwork } from '../model/network.ts';
import type { Protocol } from '../model/types.ts';
import type { Verdict } from './judge.ts';
import type { Floors } from './floors.ts';
import { decimal } from './decimal.ts';
import { escapeXml } from './xml-escape.ts';

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
  const protocols = [...new Set(verdicts.map((verdict) => verdict.result.pair.protocol))];
  const time = seconds(run.endedAt - run.startedAt);
  const counts = `tests="${verdicts.length}" failures="${failureCount(verdicts)}" errors="0" skipped="0" time="${time}"`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="iperf3-monitor verify" ${counts}>`];
  for (const protocol of protocols) {
    lines.push(...testsuite(protocol, verdicts, run));
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function testsuite(protocol: Protocol, verdicts: readonly Verdict[], run: JunitRun): string[] {
  const mine = verdicts.filter((verdict) => verdict.result.pair.protocol === protocol);
  const time = seconds(run.endedAt - run.startedAt);
  const timestamp = new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, '');
  const counts = `tests="${mine.length}" failures="${failureCount(mine)}" errors="0" skipped="0" time="${time}"`;
  return [
    `  <testsuite name="iperf3-monitor verify ${protocol}" ${counts} timestamp="${timestamp}">`,
    '    <properties>',
    ...properties(protocol, run).map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`),
    '    </properties>',
    ...mine.flatMap((verdict) => testcase(protocol, verdict)),
    '  </testsuite>',
  ];
}

/** The floors that applied to the suite, so that a reader of the report knows what "pass" meant. */
function properties(protocol: Protocol, run: JunitRun): [string, string][] {
  const props: [string, string][] = [['protocol', protocol]];
  const floor = run.floors.minMbps[protocol];
  if (floor !== undefined) props.push(['min_mbps', String(floor)]);
  if (run.floors.baselineRatio !== undefined) props.push(['baseline_ratio', String(run.floors.baselineRatio)]);
  if (run.baselineSource) props.push(['baseline_source', run.baselineSource]);
  return props;
}

function testcase(protocol: Protocol, verdict: Verdict): string[] {
  const { pair, finishedAt, startedAt } = verdict.result;
  const duration = finishedAt > 0 ? seconds(finishedAt - startedAt) : '0';
  // A pod-network pair is named apart from the host-network pair of the same nodes (names stay unique).
  const network = pairNetwork(pair) === 'pod' ? ' (pod network)' : '';
  const name = escapeXml(`${pair.source.node} → ${pair.destination.node}${network}`);
  const open = `    <testcase classname="iperf3-monitor.${protocol}" name="${name}" time="${duration}">`;
  const text = escapeXml(figures(verdict));
  const body =
    verdict.kind === 'pass'
      ? `      <system-out>${text}</system-out>`
      : `      <failure type="${verdict.kind}" message="${escapeXml(verdict.reason)}">${text}</failure>`;
  return [open, body, '    </testcase>'];
}

/** The pair's numbers as "key: value" lines. */
function figures(verdict: Verdict): string {
  const { pair } = verdict.result;
  const { source, destination } = pair;
  const lines = [`${source.node} (${source.ip}) → ${destination.node} (${destination.ip}:${destination.port}) ${pair.protocol}`];
  const mbpsLine = (label: string, mbps: number | undefined) => {
    if (mbps !== undefined) lines.push(`${label}: ${decimal(mbps)} Mbit/s`);
  };
  mbpsLine('measured', verdict.mbps);
  mbpsLine('floor', verdict.floorMbps);
  mbpsLine('baseline', verdict.baselineMbps);
  mbpsLine('required', verdict.requiredMbps);
  if (verdict.reason) lines.push(`${verdict.kind === 'pass' ? 'note' : 'reason'}: ${verdict.reason}`);
  lines.push(`attempts: ${verdict.result.attempts}`);
  return lines.join('\n');
}

const failureCount = (verdicts: readonly Verdict[]) => verdicts.filter((verdict) => verdict.kind !== 'pass').length;
const seconds = (ms: number) => (ms / 1000).toFixed(3);
