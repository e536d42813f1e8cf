// Checks alerts/ with the real promtool: the rules file is valid and every unit test passes, and every
// alert in the file is made to fire by at least one unit test (so none is left untested).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const rulesFile = 'alerts/iperf3-monitor.rules.yaml';
const testDir = 'alerts/tests';
const testFiles = readdirSync(testDir).filter((f) => f.endsWith('.test.yaml')).map((f) => join(testDir, f));

function promtool(args: string[], cwd = '.'): string {
  return execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function alertNames(): string[] {
  const doc = parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert?: string }[] }[] };
  return doc.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
}

test('promtool check rules accepts the alerts file', () => {
  assert.match(promtool(['check', 'rules', rulesFile]), /SUCCESS: 16 rules found/);
});

test('promtool test rules passes every unit test file', () => {
  const out = promtool(['test', 'rules', ...testFiles.map((f) => f.slice(testDir.length + 1))], testDir);
  assert.equal(out.match(/SUCCESS/g)?.length, testFiles.length, out);
});

test('every alert has a severity label and a summary and description naming source and destination', () => {
  const doc = parse(readFileSync(rulesFile, 'utf8')) as {
    groups: { rules: { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
  };
  for (const rule of doc.groups.flatMap((g) => g.rules)) {
    assert.match(rule.labels.severity ?? '', /^(warning|critical)$/, rule.alert);
    assert.match(rule.expr, /job="iperf3-monitor"/, `${rule.alert} selects the job`);
    assert.ok(rule.annotations.summary, `${rule.alert} has a summary`);
    assert.ok(rule.annotations.description, `${rule.alert} has a description`);
    if (rule.alert.startsWith('Iperf3Path')) {
      for (const label of ['source_node', 'destination_node']) {
        assert.ok(rule.annotations.summary?.includes(`$labels.${label}`), `${rule.alert} summary names ${label}`);
        assert.ok(rule.annotations.description?.includes(`$labels.${label}`), `${rule.alert} description names ${label}`);
      }
    }
  }
});

test('every alert fires in at least one unit test and is asserted quiet in at least one', () => {
  const fired = new Set<string>();
  const quiet = new Set<string>();
  for (const file of testFiles) {
    const doc = parse(readFileSync(file, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    for (const t of doc.tests.flatMap((x) => x.alert_rule_test ?? [])) {
      (t.exp_alerts.length > 0 ? fired : quiet).add(t.alertname);
    }
  }
  assert.deepEqual(alertNames().filter((a) => !fired.has(a)), [], 'alerts never made to fire');
  assert.deepEqual(alertNames().filter((a) => !quiet.has(a)), [], 'alerts never asserted quiet');
});

const inhibitFile = 'alerts/alertmanager-inhibit-rules.yaml';
interface InhibitRule { source_matchers: string[]; target_matchers: string[]; equal: string[] }
const inhibitRules = (): InhibitRule[] => (parse(readFileSync(inhibitFile, 'utf8')) as { inhibit_rules: InhibitRule[] }).inhibit_rules;
/** The alert names a matcher list selects (alertname="X" or alertname=~"X|Y"). */
const matched = (matchers: string[]): string[] =>
  matchers.flatMap((m) => /^alertname=~?"(.*)"$/.exec(m)?.[1]?.split('|') ?? []);

test('amtool accepts an Alertmanager configuration with the shipped inhibit_rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-am-'));
  try {
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, stringify({ route: { receiver: 'null' }, receivers: [{ name: 'null' }], inhibit_rules: inhibitRules() }));
    assert.match(execFileSync('amtool', ['check-config', file], { encoding: 'utf8' }), /SUCCESS[\s\S]*5 inhibit rules/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every node alert inhibits the path alerts it explains, on labels both carry', () => {
  const rules = inhibitRules();
  const names = alertNames();
  for (const r of rules) {
    for (const a of [...matched(r.source_matchers), ...matched(r.target_matchers)]) assert.ok(names.includes(a), `${a} in ${inhibitFile} is an alert of ${rulesFile}`);
  }
  const inhibits = (source: string) => rules.filter((r) => matched(r.source_matchers).includes(source));
  assert.deepEqual(inhibits('Iperf3DestinationFailing').map((r) => [matched(r.target_matchers), r.equal]), [[['Iperf3PathFailing'], ['job', 'destination_node', 'network']]]);
  assert.deepEqual(inhibits('Iperf3SourceFailing').map((r) => [matched(r.target_matchers), r.equal]), [[['Iperf3PathFailing'], ['job', 'source_node', 'network']]]);
  const bw = ['Iperf3PathBandwidthLow', 'Iperf3PathBandwidthDegraded'];
  assert.deepEqual(inhibits('Iperf3DestinationBandwidthLow').map((r) => [matched(r.target_matchers), r.equal]), [[bw, ['job', 'destination_node', 'network']]]);
  assert.deepEqual(inhibits('Iperf3SourceBandwidthLow').map((r) => [matched(r.target_matchers), r.equal]), [[bw, ['job', 'source_node', 'network']]]);
});

test("the README's Alertmanager example carries the shipped inhibit_rules unchanged", () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /```yaml\n(route:[\s\S]*?)```/.exec(readme.slice(readme.indexOf('### Routing labels')))?.[1];
  assert.ok(block, 'README has a yaml block with route: under "Routing labels"');
  assert.deepEqual((parse(block) as { inhibit_rules: unknown }).inhibit_rules, inhibitRules());
});
