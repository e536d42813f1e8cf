// server.podNetwork.enabled: a second server DaemonSet on the pod network next to the host-network one,
// identical but for hostNetwork and its component label (its own selector), and a runner selector that
// finds both. The real-node test (test/k8s/pod-network.test.ts) runs it; here, what renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, notes, podSpec, template, templateError, type Obj } from './helm.ts';

const ON = ['server.podNetwork.enabled=true'];
const daemonSets = (set: string[] = []) => template({ set }).filter((o) => o.kind === 'DaemonSet');
const byComponent = (objs: Obj[], component: string) => objs.find((o) => o.spec.template.metadata.labels['app.kubernetes.io/component'] === component)!;
/** Whether a matchLabels selector selects a label set. */
const selects = (matchLabels: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(matchLabels).every(([key, value]) => labels[key] === value);

test('off by default: one server DaemonSet, the runner selects component=server', () => {
  const objs = template();
  assert.deepEqual(objs.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name), ['mon-iperf3-monitor-server']);
  const args = podSpec(objs.find((o) => o.kind === 'CronJob')!).containers[0].args;
  assert.equal(flag(args, '--selector'), 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/instance=mon,app.kubernetes.io/component=server');
});

test('enabled: a second DaemonSet <fullname>-server-pod on the pod network, component server-pod, selectors that do not overlap', () => {
  const [host, pod] = ['server', 'server-pod'].map((c) => byComponent(daemonSets(ON), c));
  assert.equal(daemonSets(ON).length, 2);
  assert.equal(pod!.metadata.name, 'mon-iperf3-monitor-server-pod');
  assert.equal(pod!.metadata.labels['app.kubernetes.io/component'], 'server-pod');
  assert.deepEqual(pod!.spec.selector.matchLabels, {
    'app.kubernetes.io/name': 'iperf3-monitor',
    'app.kubernetes.io/instance': 'mon',
    'app.kubernetes.io/component': 'server-pod',
  });
  assert.equal(podSpec(host!).hostNetwork, true);
  assert.equal(podSpec(pod!).hostNetwork, undefined);
  assert.equal(podSpec(pod!).dnsPolicy, undefined);
  assert.equal(selects(host!.spec.selector.matchLabels, pod!.spec.template.metadata.labels), false);
  assert.equal(selects(pod!.spec.selector.matchLabels, host!.spec.template.metadata.labels), false);
  assert.equal(selects(pod!.spec.selector.matchLabels, pod!.spec.template.metadata.labels), true);
});

test('the pod-network server is the host one in everything else: image, arguments, port, probes, auth, resources, scheduling', () => {
  const set = [...ON, 'iperf3Auth.enabled=true', 'iperf3Auth.existingSecret=auth', 'server.podLabels.team=net', 'server.priorityClassName=high',
    'server.tolerations[0].operator=Exists', 'server.resources.limits.memory=99Mi', 'server.extraArgs={--forceflush}', 'server.port=5301'];
  const [host, pod] = ['server', 'server-pod'].map((c) => byComponent(daemonSets(set), c));
  const strip = (ds: Obj) => {
    const { hostNetwork: _h, dnsPolicy: _d, ...rest } = podSpec(ds);
    return rest;
  };
  assert.deepEqual(strip(pod!), strip(host!));
  assert.deepEqual(podSpec(pod!).containers[0].args.slice(0, 3), ['-s', '-p', '5301']);
  assert.ok(podSpec(pod!).containers[0].args.includes('--rsa-private-key-path'));
  assert.equal(pod!.spec.template.metadata.labels.team, 'net');
  assert.deepEqual(pod!.spec.updateStrategy, host!.spec.updateStrategy);
});

test('enabled: the runner and the verify test select both DaemonSets\' pods; an explicit runner.serverSelector still wins', () => {
  const want = 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/instance=mon,app.kubernetes.io/component in (server,server-pod)';
  const objs = template({ set: [...ON, 'verify.enabled=true'] });
  assert.equal(flag(podSpec(objs.find((o) => o.kind === 'CronJob')!).containers[0].args, '--selector'), want);
  assert.equal(flag(podSpec(objs.find((o) => o.kind === 'Pod')!).containers[0].args, '--selector'), want);
  const own = template({ set: [...ON, 'runner.serverSelector=app=mine'] });
  assert.equal(flag(podSpec(own.find((o) => o.kind === 'CronJob')!).containers[0].args, '--selector'), 'app=mine');
});

test('with server.hostNetwork=false the render fails: both DaemonSets would be on the pod network', () => {
  assert.match(
    templateError({ set: [...ON, 'server.hostNetwork=false'] }),
    /server\.podNetwork\.enabled adds pod-network servers next to the host-network ones, but server\.hostNetwork=false already puts the servers on the pod network/,
  );
  assert.match(templateError({ set: ['server.podNetwork.enable=true'] }), /at '\/server\/podNetwork': additional properties 'enable' not allowed/);
});

test('networkPolicy.enabled guards the pod-network server\'s port: from its peers (mesh) or the runner (star)', () => {
  const policies = (set: string[]) => template({ set: ['networkPolicy.enabled=true', ...set] }).filter((o) => o.kind === 'NetworkPolicy');
  assert.deepEqual(policies([]), [], 'host-network servers only: no server policy');
  const [mesh] = policies(ON);
  assert.equal(mesh!.metadata.name, 'mon-iperf3-monitor-server-pod');
  assert.equal(mesh!.spec.podSelector.matchLabels['app.kubernetes.io/component'], 'server-pod');
  assert.deepEqual(mesh!.spec.ingress[0].from, [{ podSelector: { matchLabels: mesh!.spec.podSelector.matchLabels } }]);
  assert.deepEqual(mesh!.spec.ingress[0].ports, [{ port: 5201, protocol: 'TCP' }, { port: 5201, protocol: 'UDP' }]);
  const [star] = policies([...ON, 'runner.mode=star']);
  assert.equal(star!.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component'], 'runner');
});

test('NOTES name the second DaemonSet, the network label and the doubled cost', () => {
  const text = notes({ set: ON });
  assert.match(text, /get pods -o wide -l 'app\.kubernetes\.io\/instance=mon,app\.kubernetes\.io\/component in \(server,server-pod\)'/);
  assert.match(text, /a second DaemonSet, mon-iperf3-monitor-server-pod, runs the same server on the pod\nnetwork/);
  assert.match(text, /This doubles the tests per\ncycle/);
  assert.doesNotMatch(notes(), /server-pod/);
});
