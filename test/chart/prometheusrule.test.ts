// The PrometheusRule is alerts/iperf3-monitor.rules.yaml with chart values substituted: identical with
// the defaults, changed where a user overrides a threshold, and still valid for promtool either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { one, scenario, template, type Obj } from './helm.ts';

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };
const source = parse(readFileSync('alerts/iperf3-monitor.rules.yaml', 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
const groups = (set: string[] = [], files: string[] = []) =>
  one(template({ set: ['prometheusRule.enabled=true', ...set], files }), 'PrometheusRule').spec.groups as { name: string; rules: Rule[] }[];
const rule = (gs: { rules: Rule[] }[], name: string): Rule => {
  const r = gs.flatMap((g) => g.rules).find((x) => x.alert === name);
  assert.ok(r, `rule ${name}`);
  return r;
};

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-rules-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('with the default values the PrometheusRule groups equal the plain alerts file', () => {
  assert.deepEqual(groups(), source.groups);
});

test('the chart has no PrometheusRule unless asked', () => {
  assert.equal(template().filter((o: Obj) => o.kind === 'PrometheusRule').length, 0);
});

test('threshold, for, routing-label and disabled-alert overrides take effect', () => {
  const gs = groups([], [scenario('both-protocols')]);
  const low = rule(gs, 'Iperf3PathBandwidthLow');
  assert.equal(low.expr, 'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp"} < 5000');
  assert.equal(low.for, '20m');
  assert.match(low.annotations.description ?? '', /below 5000 Mbit\/s/);
  assert.deepEqual(low.labels, { severity: 'warning', team: 'network' });
  assert.equal(rule(gs, 'Iperf3PathUdpLossHigh').expr, '100 * iperf_network_lost_packets_total{job="iperf3-monitor"} / (iperf_network_packets_total{job="iperf3-monitor"} > 0) > 0.5');
  // runner.udpBitrate 1G: UDP goodput is judged against the 1000 Mbit/s offered.
  assert.equal(rule(gs, 'Iperf3PathUdpBandwidthLow').expr, 'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="udp"} < 0.9 * 1000');
  assert.match(rule(gs, 'Iperf3PathUdpBandwidthLow').annotations.description ?? '', /below 0\.9 times the 1000 Mbit\/s offered/);
  // The node bandwidth alerts share the floor.
  assert.match(rule(gs, 'Iperf3DestinationBandwidthLow').expr, /protocol="tcp"\} < 5000\)/);
  assert.equal(rule(gs, 'Iperf3MonitorResultsStale').expr, 'time() - iperf_run_timestamp_seconds{job="iperf3-monitor"} > 1200');
  assert.equal(gs.flatMap((g) => g.rules).find((r) => r.alert === 'Iperf3PathUdpJitterHigh'), undefined);
});

test('the staleness window follows the schedule and the job label of every rule follows pushgateway.job', () => {
  const gs = groups(['runner.schedule=*/10 * * * *', 'pushgateway.job=netcheck']);
  for (const r of gs.flatMap((g) => g.rules)) {
    assert.match(r.expr, /job="netcheck"/, r.alert);
    assert.doesNotMatch(r.expr, /job="iperf3-monitor"/, r.alert);
  }
  assert.equal(rule(gs, 'Iperf3PathFailing').expr, 'iperf_test_success{job="netcheck"} == 0');
  assert.equal(rule(gs, 'Iperf3MonitorResultsStale').expr, 'time() - iperf_run_timestamp_seconds{job="netcheck"} > 1800');
  assert.equal(rule(gs, 'Iperf3MonitorSourceStale').expr, 'time() - push_time_seconds{job="netcheck", source_node!=""} > 1800');
  assert.equal(rule(gs, 'Iperf3MonitorPushFailed').expr, 'push_failure_time_seconds{job="netcheck"} > push_time_seconds{job="netcheck"}');
});

test('the degradation ratio and baseline window are substituted in the expression and the description', () => {
  const r = rule(groups(['prometheusRule.thresholds.degradedRatio=0.3', 'prometheusRule.thresholds.baselineWindow=7d']), 'Iperf3PathBandwidthDegraded');
  assert.equal(r.expr, 'iperf_network_bandwidth_mbps{job="iperf3-monitor"} < 0.3 * quantile_over_time(0.5, iperf_network_bandwidth_mbps{job="iperf3-monitor"}[7d])');
  assert.match(r.annotations.description ?? '', /less than 0\.3 times its median over the last 7d/);
});

test('promtool accepts the rendered rules and an overridden threshold fires where the default would not', () => {
  withTempDir((dir) => {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: groups([], [scenario('both-protocols')]) }));
    assert.match(execFileSync('promtool', ['check', 'rules', join(dir, 'rules.yaml')], { encoding: 'utf8' }), /SUCCESS: 15 rules found/);
    const series = 'iperf_network_bandwidth_mbps{job="iperf3-monitor",source_node="a",destination_node="b",protocol="tcp"}';
    writeFileSync(join(dir, 'override.test.yaml'), stringify({
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          { series, values: '1000x30' },
          // A healthy UDP path at the offered 1G: neither the TCP floor nor the UDP alert applies.
          { series: series.replace('tcp', 'udp').replace('"b"', '"c"'), values: '950x30' },
          { series: series.replace('tcp', 'udp').replace('"b"', '"d"'), values: '400x30' },
        ],
        alert_rule_test: [
          { eval_time: '15m', alertname: 'Iperf3PathBandwidthLow', exp_alerts: [] },
          {
            eval_time: '25m',
            alertname: 'Iperf3PathBandwidthLow',
            exp_alerts: [{
              exp_labels: { severity: 'warning', team: 'network', job: 'iperf3-monitor', source_node: 'a', destination_node: 'b', protocol: 'tcp' },
              exp_annotations: { summary: 'Low bandwidth from a to b (tcp)', description: 'tcp goodput from a to b is 1000.0 Mbit/s, below 5000 Mbit/s in every run for at least 20m.' },
            }],
          },
          {
            eval_time: '25m',
            alertname: 'Iperf3PathUdpBandwidthLow',
            exp_alerts: [{
              exp_labels: { severity: 'warning', team: 'network', job: 'iperf3-monitor', source_node: 'a', destination_node: 'd', protocol: 'udp' },
              exp_annotations: { summary: 'UDP goodput from a to d below the offered rate', description: 'UDP goodput from a to d is 400.0 Mbit/s, below 0.9 times the 1000 Mbit/s offered, in every run for at least 10m.' },
            }],
          },
        ],
      }],
    }));
    assert.match(execFileSync('promtool', ['test', 'rules', 'override.test.yaml'], { cwd: dir, encoding: 'utf8' }), /SUCCESS/);
  });
});

test('the node alerts take their fraction and minimum number of paths from the values', () => {
  const gs = groups(['prometheusRule.thresholds.nodeFraction=0.6', 'prometheusRule.thresholds.nodeMinPaths=3', 'prometheusRule.for.failing=20m']);
  const r = rule(gs, 'Iperf3DestinationFailing');
  const failing = [
    '(',
    '  iperf_test_success{job="iperf3-monitor"} == 0',
    '  or on (job, source_node, destination_node, protocol, network) iperf_test_skipped{job="iperf3-monitor", reason="destination-down"}',
    ')',
  ].join('\n');
  assert.equal(r.expr, [
    `count by (job, destination_node, network) ${failing}`,
    '  / count by (job, destination_node, network) (iperf_test_success{job="iperf3-monitor"}) >= 0.6',
    `and count by (job, destination_node, network) ${failing} >= 3`,
  ].join('\n'));
  assert.equal(r.for, '20m');
  assert.match(r.annotations.description ?? '', /at least 0\.6 of them, from at least 3 sources\) have failed in every run for at least 20m/);
  assert.match(rule(gs, 'Iperf3SourceBandwidthLow').expr, />= 0\.6\nand .* >= 3$/);
});

test('runner.udpBitrate in any iperf3 notation becomes the offered Mbit/s of the UDP alert', () => {
  for (const [rate, mbps] of [['100M', '100'], ['500K', '0.5'], ['2.5G', '2500'], ['250m', '250']]) {
    const r = rule(groups([`runner.udpBitrate=${rate}`]), 'Iperf3PathUdpBandwidthLow');
    assert.equal(r.expr, `iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="udp"} < 0.9 * ${mbps}`, rate);
  }
});

test('the pod-network overhead bound and its for come from the values, and the rendered rule fires where the default would not', () => {
  const gs = groups(['prometheusRule.thresholds.podNetworkOverheadRatio=0.1', 'prometheusRule.for.podNetworkOverhead=1h']);
  const r = rule(gs, 'Iperf3PathPodNetworkOverhead');
  assert.equal(r.expr, [
    'iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp", network="pod"}',
    '  / ignoring (network) iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp", network="host"}',
    '  < 1 - 0.1',
  ].join('\n'));
  assert.equal(r.for, '1h');
  assert.match(r.annotations.description ?? '', /below 1 - 0\.1 of it for at least 1h/);
  withTempDir((dir) => {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: gs }));
    const series = (network: string) => `iperf_network_bandwidth_mbps{job="iperf3-monitor",source_node="a",destination_node="b",protocol="tcp",network="${network}"}`;
    writeFileSync(join(dir, 'overhead.test.yaml'), stringify({
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        // 80 % of the host network: within the default 0.3, beyond 0.1
        input_series: [{ series: series('host'), values: '1000x70' }, { series: series('pod'), values: '800x70' }],
        alert_rule_test: [
          { eval_time: '50m', alertname: 'Iperf3PathPodNetworkOverhead', exp_alerts: [] },
          {
            eval_time: '65m',
            alertname: 'Iperf3PathPodNetworkOverhead',
            exp_alerts: [{
              exp_labels: { severity: 'warning', job: 'iperf3-monitor', source_node: 'a', destination_node: 'b', protocol: 'tcp' },
              exp_annotations: {
                summary: 'Pod network from a to b far below the host network',
                description: "TCP goodput over the pod network from a to b is 80% of the host network's between the same nodes, below 1 - 0.1 of it for at least 1h: the CNI (encapsulation, MTU, a policy or proxy in the path) costs more than the bound.",
              },
            }],
          },
        ],
      }],
    }));
    assert.match(execFileSync('promtool', ['test', 'rules', 'overhead.test.yaml'], { cwd: dir, encoding: 'utf8' }), /SUCCESS/);
  });
});
