// The alert thresholds are chart values: `helm template` of the PrometheusRule with an override changes
// the rule Prometheus evaluates (and the text it shows), and the result is still a rules file promtool
// accepts. Rendered with test/alerting/e2e-values.yaml, it is exactly what the end-to-end test loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderRuleGroups, writeRulesFile, type RuleGroup } from './rendered-rules.ts';

const rule = (groups: RuleGroup[], name: string) => {
  const r = groups.flatMap((g) => g.rules).find((x) => x.alert === name);
  assert.ok(r, `rule ${name}`);
  return r;
};

// [value set with --set, alert, what the rendered rule then holds]
const overrides: [string, string, { expr?: string; for?: string; description?: RegExp }][] = [
  ['prometheusRule.thresholds.bandwidthLowMbps=250', 'Iperf3PathBandwidthLow', { expr: 'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp"} < 250', description: /below 250 Mbit\/s/ }],
  ['prometheusRule.for.bandwidthLow=30m', 'Iperf3PathBandwidthLow', { for: '30m' }],
  ['prometheusRule.thresholds.degradedRatio=0.7', 'Iperf3PathBandwidthDegraded', { expr: 'iperf_network_bandwidth_mbps{job="iperf3-monitor"} < 0.7 * quantile_over_time(0.5, iperf_network_bandwidth_mbps{job="iperf3-monitor"}[1d])' }],
  ['prometheusRule.thresholds.baselineWindow=7d', 'Iperf3PathBandwidthDegraded', { expr: 'iperf_network_bandwidth_mbps{job="iperf3-monitor"} < 0.5 * quantile_over_time(0.5, iperf_network_bandwidth_mbps{job="iperf3-monitor"}[7d])' }],
  ['prometheusRule.for.failing=20m', 'Iperf3PathFailing', { for: '20m' }],
  ['prometheusRule.thresholds.udpLossPercent=5', 'Iperf3PathUdpLossHigh', { expr: '100 * iperf_network_lost_packets_total{job="iperf3-monitor"} / (iperf_network_packets_total{job="iperf3-monitor"} > 0) > 5', description: /above 5%/ }],
  ['prometheusRule.thresholds.udpJitterMs=3', 'Iperf3PathUdpJitterHigh', { expr: 'iperf_network_jitter_ms{job="iperf3-monitor"} > 3', description: /above 3 ms/ }],
  ['prometheusRule.thresholds.staleSeconds=3600', 'Iperf3MonitorResultsStale', { expr: 'time() - iperf_run_timestamp_seconds{job="iperf3-monitor"} > 3600', description: /more than 3600s/ }],
  ['prometheusRule.thresholds.staleSeconds=3600', 'Iperf3MonitorSourceStale', { expr: 'time() - push_time_seconds{job="iperf3-monitor", source_node!=""} > 3600' }],
  ['prometheusRule.for.pushFailed=5m', 'Iperf3MonitorPushFailed', { for: '5m' }],
  ['prometheusRule.thresholds.udpBandwidthRatio=0.8', 'Iperf3PathUdpBandwidthLow', { expr: 'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="udp"} < 0.8 * 100', description: /below 0\.8 times the 100 Mbit\/s offered/ }],
  ['runner.udpBitrate=1G', 'Iperf3PathUdpBandwidthLow', { expr: 'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="udp"} < 0.9 * 1000' }],
  ['prometheusRule.for.udpBandwidthLow=30m', 'Iperf3PathUdpBandwidthLow', { for: '30m' }],
  ['prometheusRule.for.failing=20m', 'Iperf3DestinationFailing', { for: '20m' }],
  ['prometheusRule.thresholds.nodeFraction=0.5', 'Iperf3SourceFailing', { description: /at least 0\.5 of them/ }],
  ['prometheusRule.thresholds.nodeMinPaths=4', 'Iperf3DestinationBandwidthLow', { description: /from at least 4 sources/ }],
  ['prometheusRule.thresholds.bandwidthLowMbps=250', 'Iperf3SourceBandwidthLow', { description: /below 250 Mbit\/s/ }],
  ['prometheusRule.thresholds.podNetworkOverheadRatio=0.2', 'Iperf3PathPodNetworkOverhead', { description: /below 1 - 0\.2 of it/ }],
  ['prometheusRule.for.podNetworkOverhead=1h', 'Iperf3PathPodNetworkOverhead', { for: '1h' }],
];

for (const [set, alert, want] of overrides) {
  test(`--set ${set} changes ${alert}`, () => {
    const before = rule(renderRuleGroups([]), alert);
    const after = rule(renderRuleGroups([], [set]), alert);
    if (want.expr) {
      assert.notEqual(before.expr, want.expr);
      assert.equal(after.expr, want.expr);
    }
    if (want.for) {
      assert.notEqual(before.for, want.for);
      assert.equal(after.for, want.for);
    }
    if (want.description) {
      assert.doesNotMatch(before.annotations.description!, want.description);
      assert.match(after.annotations.description!, want.description);
    }
  });
}

test('the end-to-end values lower the bandwidth floor, shorten the for durations and the staleness window, and add the team label', () => {
  const groups = renderRuleGroups(['test/alerting/e2e-values.yaml']);
  const low = rule(groups, 'Iperf3PathBandwidthLow');
  assert.equal(low.expr, 'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp"} < 50');
  assert.equal(low.for, '3s');
  assert.deepEqual(low.labels, { severity: 'warning', team: 'network' });
  assert.equal(rule(groups, 'Iperf3PathFailing').for, '3s');
  assert.equal(rule(groups, 'Iperf3MonitorResultsStale').expr, 'time() - iperf_run_timestamp_seconds{job="iperf3-monitor"} > 60');
  // What the values file does not set keeps the default.
  assert.equal(rule(groups, 'Iperf3PathUdpJitterHigh').expr, 'iperf_network_jitter_ms{job="iperf3-monitor"} > 10');
  assert.equal(rule(groups, 'Iperf3PathBandwidthDegraded').for, '15m');
});

test('promtool accepts the rules rendered with the end-to-end values as a plain rules file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-rules-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeRulesFile(file, renderRuleGroups(['test/alerting/e2e-values.yaml']));
    assert.match(execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' }), /SUCCESS: 16 rules found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
