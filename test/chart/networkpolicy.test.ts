// NetworkPolicies admit exactly the runner: by its pod labels, across namespaces when the servers have their
// own, and by node CIDRs for a host-network runner, which no pod selector can match (rendering fails without them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, template, templateError, type Obj } from './helm.ts';

const runnerLabels = { 'app.kubernetes.io/name': 'iperf3-monitor', 'app.kubernetes.io/instance': 'mon', 'app.kubernetes.io/component': 'runner' };
const policy = (objs: Obj[], suffix: string): Obj => {
  const np = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith(suffix));
  assert.ok(np, `NetworkPolicy *${suffix}`);
  return np;
};

test('a host-network runner with a policy to pass and no node CIDRs fails at render, naming the value to set', () => {
  for (const set of [['pushgateway.enabled=true'], ['server.hostNetwork=false']]) {
    const err = templateError({ files: [scenario('star-mode')], set: ['networkPolicy.enabled=true', ...set] });
    assert.match(err, /networkPolicy\.enabled with runner\.hostNetwork=true: a host-network runner has no pod labels a NetworkPolicy can match, so set networkPolicy\.runnerNodeCIDRs/, set.join());
  }
});

test('a host-network runner is admitted by the node CIDRs, to the Pushgateway and to star-mode pod-network servers', () => {
  const objs = template({ files: [scenario('star-host-network-policy')] });
  const cidrs = [{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: 'fd00:1::/64' } }];
  assert.deepEqual(policy(objs, '-pushgateway').spec.ingress[0].from, [...cidrs, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  assert.deepEqual(policy(objs, '-server').spec.ingress[0].from, cidrs);
});

test('a host-network runner needs no CIDRs when no policy admits it (host-network servers, external Pushgateway)', () => {
  const objs = template({ files: [scenario('star-mode')], set: ['networkPolicy.enabled=true'] });
  assert.equal(objs.filter((o) => o.kind === 'NetworkPolicy').length, 0);
});

test('servers in their own namespace admit the star runner from the release namespace only', () => {
  const objs = template({ files: [scenario('separate-server-namespace')], set: ['runner.mode=star'] });
  const np = policy(objs, '-server');
  assert.equal(np.metadata.namespace, 'iperf3-servers');
  assert.deepEqual(np.spec.ingress[0].from, [{ podSelector: { matchLabels: runnerLabels }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'netcheck' } } }]);
  // The Pushgateway stays with the runner: a plain pod selector.
  assert.deepEqual(policy(objs, '-pushgateway').spec.ingress[0].from[0], { podSelector: { matchLabels: runnerLabels } });
});

test('mesh servers in their own namespace admit the other server pods of that namespace', () => {
  const np = policy(template({ files: [scenario('separate-server-namespace')] }), '-server');
  assert.equal(np.metadata.namespace, 'iperf3-servers');
  assert.deepEqual(np.spec.ingress[0].from, [{ podSelector: { matchLabels: { ...runnerLabels, 'app.kubernetes.io/component': 'server' } } }]);
});
