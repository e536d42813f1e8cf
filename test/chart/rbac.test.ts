// The runner gets exactly the permissions its mode needs, in the narrowest scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { one, podSpec, scenario, template } from './helm.ts';

const podsRead = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };
const podsExec = { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] };

test('mesh mode gets a namespaced Role with pods get/list and pods/exec create/get only', () => {
  const objs = template();
  const role = one(objs, 'Role');
  assert.equal(role.metadata.namespace, 'netcheck');
  assert.deepEqual(role.rules, [podsRead, podsExec]);
  assert.equal(objs.filter((o) => o.kind.startsWith('Cluster')).length, 0);
});

test('star mode gets pods get/list and no pods/exec', () => {
  assert.deepEqual(one(template({ files: [scenario('star-mode')] }), 'Role').rules, [podsRead]);
});

test('the RoleBinding binds the Role to the runner ServiceAccount the CronJob uses', () => {
  const objs = template();
  const binding = one(objs, 'RoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: one(objs, 'Role').metadata.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: one(objs, 'ServiceAccount').metadata.name, namespace: 'netcheck' }]);
  assert.equal(podSpec(one(objs, 'CronJob')).serviceAccountName, one(objs, 'ServiceAccount').metadata.name);
});

test('a ClusterRole with the same rules exists only when discovery spans all namespaces', () => {
  const objs = template({ files: [scenario('all-namespaces')] });
  assert.deepEqual(one(objs, 'ClusterRole').rules, [podsRead, podsExec]);
  assert.equal(one(objs, 'ClusterRoleBinding').roleRef.kind, 'ClusterRole');
  assert.ok(podSpec(one(objs, 'CronJob')).containers[0].args.includes('--all-namespaces'));
});

test('the Role lives in the discovery namespace when it differs from the release namespace', () => {
  const objs = template({ set: ['runner.namespace=iperf3-servers'] });
  assert.equal(one(objs, 'Role').metadata.namespace, 'iperf3-servers');
  assert.equal(one(objs, 'RoleBinding').metadata.namespace, 'iperf3-servers');
  assert.equal(one(objs, 'RoleBinding').subjects[0].namespace, 'netcheck');
});

test('rbac.create=false renders no RBAC objects and runs the CronJob as the existing account', () => {
  const objs = template({ files: [scenario('rbac-off')] });
  assert.deepEqual(objs.filter((o) => /Role|ServiceAccount/.test(o.kind)), []);
  assert.equal(podSpec(one(objs, 'CronJob')).serviceAccountName, 'network-tester');
});

test('runner.nodeZones adds a ClusterRole with nodes get/list only, bound to the runner, and --node-zones', () => {
  const objs = template({ set: ['runner.nodeZones=true'] });
  const role = one(objs, 'ClusterRole');
  assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]);
  const binding = one(objs, 'ClusterRoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: one(objs, 'ServiceAccount').metadata.name, namespace: 'netcheck' }]);
  assert.ok(podSpec(one(objs, 'CronJob')).containers[0].args.includes('--node-zones'));
  assert.ok(!podSpec(one(template(), 'CronJob')).containers[0].args.includes('--node-zones'));
});
