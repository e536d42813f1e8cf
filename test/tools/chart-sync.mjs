// Makes the chart's copies of alerts/ and dashboards/ from the top-level sources (which stay plain
// Prometheus and Grafana files). `--check` writes nothing and exits 1 naming each stale copy (CI).
//   dashboards/*.json            -> charts/iperf3-monitor/files/dashboards/*.json (byte-identical)
//   alerts/iperf3-monitor.rules.yaml -> charts/iperf3-monitor/files/alerts/iperf3-monitor.rules.yaml.tpl
// The alerts copy is a Helm `tpl` input: Prometheus' own {{ }} are escaped, and each default threshold,
// `for` and the job label is replaced by the chart value that overrides it (table below).
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, visit, isScalar } from 'yaml';

const chart = 'charts/iperf3-monitor';
const th = (k) => `{{ .Values.prometheusRule.thresholds.${k} }}`;
const forOf = (k) => `{{ .Values.prometheusRule.for.${k} }}`;
const job = ['job="iperf3-monitor"', 'job="{{ .Values.pushgateway.job }}"'];
const stale = '{{ include `iperf3-monitor.staleSeconds` . }}';

const offered = '{{ include `iperf3-monitor.udpOfferedMbps` . }}';

// The node alerts: (nearly) every path to or from one node, with the fraction and the minimum number of
// paths as values; `for` and the bandwidth floor are those of the path alerts they explain.
const nodeAlert = (forKey, peers, floor) => [forKey, [
  job, ['>= 0.8', `>= ${th('nodeFraction')}`], ['at least 0.8 of them', `at least ${th('nodeFraction')} of them`],
  ['>= 2', `>= ${th('nodeMinPaths')}`], [`at least 2 ${peers}`, `at least ${th('nodeMinPaths')} ${peers}`],
  ['at least 10m', `at least ${forOf(forKey)}`],
  ...(floor ? [['< 100', `< ${th('bandwidthLowMbps')}`], ['below 100 Mbit/s', `below ${th('bandwidthLowMbps')} Mbit/s`]] : []),
]];

// alert -> [`for` value key, [literal, replacement][] applied to expr and annotations; each must occur].
export const tunables = {
  Iperf3DestinationFailing: nodeAlert('failing', 'sources', false),
  Iperf3SourceFailing: nodeAlert('failing', 'destinations', false),
  Iperf3DestinationBandwidthLow: nodeAlert('bandwidthLow', 'sources', true),
  Iperf3SourceBandwidthLow: nodeAlert('bandwidthLow', 'destinations', true),
  Iperf3PathBandwidthLow: ['bandwidthLow', [
    job, ['< 100', `< ${th('bandwidthLowMbps')}`], ['below 100 Mbit/s', `below ${th('bandwidthLowMbps')} Mbit/s`],
    ['at least 10m', `at least ${forOf('bandwidthLow')}`],
  ]],
  // The offered rate is the chart's runner.udpBitrate in Mbit/s.
  Iperf3PathUdpBandwidthLow: ['udpBandwidthLow', [
    job, ['< 0.9 * 100', `< ${th('udpBandwidthRatio')} * ${offered}`],
    ['0.9 times the 100 Mbit/s', `${th('udpBandwidthRatio')} times the ${offered} Mbit/s`],
    ['at least 10m', `at least ${forOf('udpBandwidthLow')}`],
  ]],
  Iperf3PathBandwidthDegraded: ['bandwidthDegraded', [
    job, ['< 0.5 *', `< ${th('degradedRatio')} *`], ['than 0.5 times', `than ${th('degradedRatio')} times`],
    ['[1d]', `[${th('baselineWindow')}]`], ['last 1d', `last ${th('baselineWindow')}`],
  ]],
  Iperf3PathPodNetworkOverhead: ['podNetworkOverhead', [
    job, ['< 1 - 0.3', `< 1 - ${th('podNetworkOverheadRatio')}`], ['below 1 - 0.3 of it', `below 1 - ${th('podNetworkOverheadRatio')} of it`],
    ['at least 30m', `at least ${forOf('podNetworkOverhead')}`],
  ]],
  Iperf3PathFailing: ['failing', [job, ['at least 10m', `at least ${forOf('failing')}`]]],
  Iperf3PathUdpLossHigh: ['udpLoss', [job, ['> 1', `> ${th('udpLossPercent')}`], ['above 1%', `above ${th('udpLossPercent')}%`]]],
  Iperf3PathUdpJitterHigh: ['udpJitter', [job, ['> 10', `> ${th('udpJitterMs')}`], ['above 10 ms', `above ${th('udpJitterMs')} ms`]]],
  Iperf3MonitorResultsStale: ['stale', [job, ['> 900', `> ${stale}`], ['than 900s', `than ${stale}s`]]],
  Iperf3MonitorSourceStale: ['stale', [job, ['> 900', `> ${stale}`], ['than 900s', `than ${stale}s`]]],
  Iperf3MonitorPushFailed: ['pushFailed', [job]],
  Iperf3MonitorCoverageLagging: ['coverageLagging', [job]],
  Iperf3MonitorPairsUnmeasured: ['pairsUnmeasured', [job, ['at least 3h', `at least ${forOf('pairsUnmeasured')}`]]],
};

const escapeBraces = (s) => s.replace(/\{\{|\}\}/g, (m) => (m === '{{' ? '{{`{{`}}' : '{{`}}`}}'));

/** Returns the chart's tpl copy of a plain rules file; throws when a literal the table expects is missing. */
export function alertsTemplate(source) {
  const doc = parseDocument(source);
  visit(doc, { Scalar(_, node) { if (typeof node.value === 'string') node.value = escapeBraces(node.value); } });
  const seen = new Set();
  for (const group of doc.get('groups').items) {
    for (const rule of group.get('rules').items) {
      const name = rule.get('alert');
      const entry = tunables[name];
      if (!entry) throw new Error(`chart-sync: alert ${name} has no entry in the tunables table`);
      seen.add(name);
      const [forKey, replacements] = entry;
      rule.set('for', forOf(forKey));
      const texts = [rule.get('expr', true), ...rule.get('annotations').items.map((p) => p.value)];
      for (const [literal, replacement] of replacements) {
        let found = 0;
        for (const node of texts.filter(isScalar)) {
          if (!node.value.includes(literal)) continue;
          found += 1;
          node.value = node.value.split(literal).join(replacement);
        }
        if (found === 0) throw new Error(`chart-sync: alert ${name} no longer contains ${JSON.stringify(literal)}`);
      }
    }
  }
  const missing = Object.keys(tunables).filter((a) => !seen.has(a));
  if (missing.length) throw new Error(`chart-sync: alerts in the tunables table but not in the file: ${missing.join(', ')}`);
  const header = '# GENERATED by test/tools/chart-sync.mjs from alerts/iperf3-monitor.rules.yaml: edit that file, then `just chart-sync`.\n';
  return header + doc.toString({ lineWidth: 0 });
}

/** Every chart copy as [path, expected content]. */
export function expectedCopies() {
  const copies = [[join(chart, 'files/alerts/iperf3-monitor.rules.yaml.tpl'), alertsTemplate(readFileSync('alerts/iperf3-monitor.rules.yaml', 'utf8'))]];
  for (const f of readdirSync('dashboards').filter((x) => x.endsWith('.json'))) {
    copies.push([join(chart, 'files/dashboards', f), readFileSync(join('dashboards', f), 'utf8')]);
  }
  return copies;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const stale = expectedCopies().filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text);
  const extra = readdirSync(join(chart, 'files/dashboards')).filter((f) => !existsSync(join('dashboards', f)));
  if (check) {
    for (const [path] of stale) console.error(`stale: ${path} (run: just chart-sync)`);
    for (const f of extra) console.error(`stale: ${join(chart, 'files/dashboards', f)} has no source in dashboards/`);
    process.exitCode = stale.length || extra.length ? 1 : 0;
  } else {
    for (const [path, text] of stale) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
}
