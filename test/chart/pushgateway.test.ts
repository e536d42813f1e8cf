// The bundled Pushgateway: the runner is pointed at it, it keeps state in its claim, the ServiceMonitor
// keeps the pushed labels, and NetworkPolicies admit only the runner and the scraper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, one, podSpec, scenario, template, templateError } from './helm.ts';

const objs = template({ files: [scenario('bundled-pushgateway')] });

test('the runner pushes to the bundled Pushgateway Service', () => {
  const svc = one(objs, 'Service');
  assert.equal(svc.metadata.name, 'mon-iperf3-monitor-pushgateway');
  assert.deepEqual(svc.spec.ports, [{ name: 'http', port: 9091, targetPort: 'http', protocol: 'TCP' }]);
  assert.equal(flag(podSpec(one(objs, 'CronJob')).containers[0].args, '--pushgateway'), 'http://mon-iperf3-monitor-pushgateway.netcheck.svc:9091');
});

test('the Pushgateway persists to its claim and is replaced, not rolled, so one writer owns the file', () => {
  const deploy = one(objs, 'Deployment');
  assert.equal(deploy.spec.strategy.type, 'Recreate');
  const c = podSpec(deploy).containers[0];
  assert.deepEqual(c.args, ['--web.listen-address=:9091', '--persistence.file=/data/pushgateway.db', '--persistence.interval=5m']);
  assert.equal(podSpec(deploy).volumes[0].persistentVolumeClaim.claimName, one(objs, 'PersistentVolumeClaim').metadata.name);
  assert.equal(one(objs, 'PersistentVolumeClaim').spec.resources.requests.storage, '2Gi');
  assert.equal(c.livenessProbe.httpGet.path, '/-/healthy');
  assert.equal(c.readinessProbe.httpGet.path, '/-/ready');
});

test('without persistence there is no claim and no persistence flag', () => {
  const plain = template({ set: ['pushgateway.enabled=true'] });
  assert.equal(plain.filter((o) => o.kind === 'PersistentVolumeClaim').length, 0);
  assert.deepEqual(podSpec(one(plain, 'Deployment')).containers[0].args, ['--web.listen-address=:9091']);
});

test('the ServiceMonitor honours pushed labels, selects the Service and carries the release label', () => {
  const sm = one(objs, 'ServiceMonitor');
  assert.equal(sm.metadata.labels.release, 'kube-prometheus-stack');
  assert.equal(sm.spec.endpoints[0].honorLabels, true);
  assert.equal(sm.spec.endpoints[0].port, 'http');
  const svcLabels = one(objs, 'Service').metadata.labels;
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svcLabels[k], v, k);
});

test('a ServiceMonitor without the bundled Pushgateway fails the render', () => {
  assert.match(templateError({ set: ['serviceMonitor.enabled=true'] }), /iperf3-monitor: serviceMonitor\.enabled needs pushgateway\.enabled/);
});

test('the Pushgateway NetworkPolicy admits the runner pods and the monitoring namespace on http', () => {
  const np = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-pushgateway'));
  assert.ok(np);
  assert.deepEqual(np.spec.ingress[0].from, [
    { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'iperf3-monitor', 'app.kubernetes.io/instance': 'mon', 'app.kubernetes.io/component': 'runner' } } },
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
  ]);
  assert.deepEqual(np.spec.ingress[0].ports, [{ port: 'http', protocol: 'TCP' }]);
});

test('the server NetworkPolicy admits mesh clients from server pods and star clients from the runner', () => {
  for (const [mode, component] of [['mesh', 'server'], ['star', 'runner']]) {
    const np = one(template({ files: [scenario('pod-network')], set: [`runner.mode=${mode}`] }), 'NetworkPolicy');
    assert.equal(np.spec.podSelector.matchLabels['app.kubernetes.io/component'], 'server');
    assert.equal(np.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component'], component);
    assert.deepEqual(np.spec.ingress[0].ports, [{ port: 5201, protocol: 'TCP' }, { port: 5201, protocol: 'UDP' }]);
  }
});

test('the dashboard ConfigMap carries the sidecar label, the folder annotation and the dashboard JSON', () => {
  const cm = one(objs, 'ConfigMap');
  assert.equal(cm.metadata.labels.grafana_dashboard, '1');
  assert.equal(cm.metadata.annotations.grafana_folder, 'iperf3-monitor');
  assert.deepEqual(Object.keys(cm.data), ['iperf3-monitor.json']);
  assert.equal(JSON.parse(cm.data['iperf3-monitor.json']).uid, 'iperf3-monitor');
});
