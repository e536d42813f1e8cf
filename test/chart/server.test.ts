// The iperf3 server DaemonSet: what the runner relies on (labels, container name, port) and what keeps a
// server healthy (receive and idle timeouts, a probe that cannot wedge it), on both network choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, one, podSpec, scenario, template } from './helm.ts';

const ds = (files: string[] = [], set: string[] = []) => one(template({ files, set }), 'DaemonSet');

test('server pods carry the labels the runner selects on and a container named iperf3', () => {
  const d = ds();
  const labels = d.spec.template.metadata.labels;
  assert.equal(labels['app.kubernetes.io/name'], 'iperf3-monitor');
  assert.equal(labels['app.kubernetes.io/component'], 'server');
  assert.equal(labels['app.kubernetes.io/instance'], 'mon');
  assert.deepEqual(d.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'iperf3-monitor', 'app.kubernetes.io/instance': 'mon', 'app.kubernetes.io/component': 'server' });
  assert.equal(podSpec(d).containers[0].name, 'iperf3');
});

test('the server runs iperf3 -s on the port with receive and idle timeouts', () => {
  const c = podSpec(ds()).containers[0];
  assert.deepEqual(c.command, ['iperf3']);
  assert.deepEqual(c.args, ['-s', '-p', '5201', '--rcv-timeout', '10000', '--idle-timeout', '60']);
  assert.deepEqual(c.ports, [
    { name: 'iperf3', containerPort: 5201, protocol: 'TCP' },
    { name: 'iperf3-udp', containerPort: 5201, protocol: 'UDP' },
  ]);
});

test('a custom port reaches the server, its ports and the runner alike', () => {
  const objs = template({ set: ['server.port=5301'] });
  const c = podSpec(one(objs, 'DaemonSet')).containers[0];
  assert.equal(flag(c.args, '-p'), '5301');
  assert.equal(c.ports[0].containerPort, 5301);
  assert.equal(flag(podSpec(one(objs, 'CronJob')).containers[0].args, '--port'), '5301');
});

test('liveness and readiness are TCP connect probes on the iperf3 port, never exec probes', () => {
  const c = podSpec(ds()).containers[0];
  assert.deepEqual(c.livenessProbe.tcpSocket, { port: 'iperf3' });
  assert.deepEqual(c.readinessProbe.tcpSocket, { port: 'iperf3' });
  assert.equal(c.livenessProbe.exec, undefined);
  assert.ok(c.livenessProbe.periodSeconds >= 10);
});

test('the server uses the host network by default and the pod network when asked', () => {
  assert.equal(podSpec(ds()).hostNetwork, true);
  assert.equal(podSpec(ds()).dnsPolicy, 'ClusterFirstWithHostNet');
  const pod = podSpec(ds([scenario('pod-network')]));
  assert.equal(pod.hostNetwork, undefined);
  assert.equal(pod.dnsPolicy, undefined);
});

test('servers tolerate control-plane taints and need no API token', () => {
  const spec = podSpec(ds());
  assert.deepEqual(spec.tolerations.map((t: { key: string }) => t.key), ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master']);
  assert.equal(spec.automountServiceAccountToken, false);
});

test('timeouts set to 0 are left out of the server arguments', () => {
  const c = podSpec(ds([], ['server.rcvTimeoutMs=0', 'server.idleTimeoutSeconds=0'])).containers[0];
  assert.deepEqual(c.args, ['-s', '-p', '5201']);
});

test('servers run the iperf3-only server image by default, the runner image when none is named, or another one', () => {
  const image = (set: string[]) => podSpec(ds([], set)).containers[0].image;
  const cronImage = (set: string[]) => podSpec(one(template({ set }), 'CronJob')).containers[0].image;
  const chartImage = cronImage([]);
  const appVersion = /^ghcr\.io\/iperf3-monitor\/iperf3-monitor:(.+)$/.exec(chartImage)?.[1];
  assert.ok(appVersion, chartImage);
  assert.equal(image([]), `ghcr.io/iperf3-monitor/iperf3-monitor-server:${appVersion}`);
  assert.equal(image(['server.image.repository=']), chartImage);
  assert.equal(image(['server.image.repository=registry.example/iperf3-server', 'server.image.tag=3.18']), 'registry.example/iperf3-server:3.18');
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.equal(image(['server.image.repository=registry.example/iperf3-server', `server.image.digest=${digest}`]), `registry.example/iperf3-server@${digest}`);
  assert.equal(cronImage(['server.image.repository=registry.example/iperf3-server']), chartImage, 'the runner keeps the chart image');
});
