// Checks alerts/ with the real promtool: the rules file is valid and every unit test passes, and every
// alert in the file is made to fire by at least one unit test (so none is left untested).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

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
  assert.match(promtool(['check', 'rules', rulesFile]), /SUCCESS: 10 rules found/);
});

test('promtool test rules passes every unit test file', () => {
  const out = promtool(['test', 'rules', ...testFiles.map((f) => f.slice(testDir.length + 1))], testDir);
  assert.equal(out.match(/SUCCESS/g)?.length, testFiles.length, out);
});

test('every alert has a severity label and a summary and description naming source and destination', () => {
  const doc = parse(readFileSync(rulesFile, 'utf8')) as {
    groups: { rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
  };
  for (const rule of doc.groups.flatMap((g) => g.rules)) {
    assert.match(rule.labels.severity ?? '', /^(warning|critical)$/, rule.alert);
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
