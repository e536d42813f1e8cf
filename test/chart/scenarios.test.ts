// Every ci/*-values.yaml scenario passes `helm lint --strict` and renders exactly the kinds it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { chartDir, kinds, lint, scenario, template } from './helm.ts';

const base = ['CronJob', 'DaemonSet', 'Role', 'RoleBinding', 'ServiceAccount'];
const expected: Record<string, string[]> = {
  defaults: base,
  'star-mode': base,
  'pod-network': [...base, 'NetworkPolicy'],
  'host-and-pod-network': [...base, 'NetworkPolicy'],
  'bundled-pushgateway': [...base, 'ConfigMap', 'Deployment', 'NetworkPolicy', 'PersistentVolumeClaim', 'PrometheusRule', 'Service', 'ServiceMonitor'],
  'rbac-off': ['CronJob', 'DaemonSet'],
  'both-protocols': [...base, 'PrometheusRule'],
  'all-namespaces': ['ClusterRole', 'ClusterRoleBinding', 'CronJob', 'DaemonSet', 'Role', 'RoleBinding', 'ServiceAccount'],
  'hourly-pushgateway-auth': base,
  'verify-auth': [...base, 'Pod'],
  'separate-server-namespace': [...base, 'Deployment', 'NetworkPolicy', 'Service'],
  'star-host-network-policy': [...base, 'Deployment', 'NetworkPolicy', 'Service'],
  'remote-write': base,
};

const files = readdirSync(`${chartDir}/ci`).filter((f) => f.endsWith('-values.yaml'));

test('every ci scenario file has an expected set of kinds in this test', () => {
  assert.deepEqual(files.map((f) => f.replace('-values.yaml', '')).sort(), Object.keys(expected).sort());
});

test('helm lint --strict passes with the default values', () => {
  const [status, out] = lint();
  assert.equal(status, 0, out);
});

for (const [name, want] of Object.entries(expected)) {
  test(`the ${name} scenario lints cleanly and renders ${want.join(', ')}`, () => {
    const [status, out] = lint({ files: [scenario(name)] });
    assert.equal(status, 0, out);
    assert.deepEqual(kinds(template({ files: [scenario(name)] })), [...want].sort());
  });
}

test('every object carries the standard labels of this release', () => {
  for (const o of template({ files: [scenario('bundled-pushgateway')] })) {
    assert.equal(o.metadata.labels['app.kubernetes.io/name'], 'iperf3-monitor', `${o.kind} name label`);
    assert.equal(o.metadata.labels['app.kubernetes.io/instance'], 'mon', `${o.kind} instance label`);
    assert.equal(o.metadata.labels['app.kubernetes.io/managed-by'], 'Helm', `${o.kind} managed-by label`);
  }
});
