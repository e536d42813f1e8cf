// The runner gets exactly the permissions its mode needs, in the narrowest scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { one, podSpec, scenario, template, templateError, type Obj } from './helm.ts';

// The run Lease's Role and RoleBinding (cronjob.test.ts) are left out: these are discovery's.
const discovery = (objs: Obj[]) => objs.filter((o) => !String(o.metadata.name).endsWith('-run'));
const podsRead = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };
const podsExec = { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] };

test('mesh mode gets a namespaced Role with pods get/list and pods/exec create/get only', () => {
  const objs = template();
  const role = one(discovery(objs), 'Role');
  assert.equal(role.metadata.namespace, 'netcheck');
  assert.deepEqual(role.rules, [podsRead, podsExec]);
  assert.equal(objs.filter((o) => o.kind.startsWith('Cluster')).length, 0);
});

test('star mode gets pods get/list and no pods/exec', () => {
  assert.deepEqual(one(discovery(template({ files: [scenario('star-mode')] })), 'Role').rules, [podsRead]);
});

test('the RoleBinding binds the Role to the runner ServiceAccount the CronJob uses', () => {
  const objs = template();
  const binding = one(discovery(objs), 'RoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: one(discovery(objs), 'Role').metadata.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: one(objs, 'ServiceAccount').metadata.name, namespace: 'netcheck' }]);
  assert.equal(podSpec(one(objs, 'CronJob')).serviceAccountName, one(objs, 'ServiceAccount').metadata.name);
});

const grantsExec = (o: Obj) => (o.rules as { resources: string[] }[]).some((r) => r.resources.includes('pods/exec'));

test('with discovery across all namespaces the ClusterRole only lists pods; pods/exec stays a Role in the servers\' namespace', () => {
  const objs = discovery(template({ files: [scenario('all-namespaces')] }));
  assert.deepEqual(one(objs, 'ClusterRole').rules, [podsRead]);
  assert.equal(one(objs, 'ClusterRoleBinding').roleRef.kind, 'ClusterRole');
  const role = one(objs, 'Role');
  assert.equal(role.metadata.namespace, 'netcheck');
  assert.deepEqual(role.rules, [podsExec]);
  assert.deepEqual(one(objs, 'RoleBinding').roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
  assert.equal(objs.filter((o) => o.kind.startsWith('Cluster') && o.rules && grantsExec(o)).length, 0);
  assert.ok(podSpec(one(objs, 'CronJob')).containers[0].args.includes('--all-namespaces'));
});

test('rbac.execNamespaces gives one exec Role per servers\' namespace and nothing cluster-wide', () => {
  const objs = discovery(template({ files: [scenario('all-namespaces')], set: ['rbac.execNamespaces={iperf3-a,iperf3-b}'] }));
  const roles = objs.filter((o) => o.kind === 'Role');
  assert.deepEqual(roles.map((r) => [r.metadata.namespace, r.rules]), [['iperf3-a', [podsExec]], ['iperf3-b', [podsExec]]]);
  assert.deepEqual(objs.filter((o) => o.kind === 'RoleBinding').map((b) => b.metadata.namespace), ['iperf3-a', 'iperf3-b']);
  assert.deepEqual(one(objs, 'ClusterRole').rules, [podsRead]);
});

test('rbac.execNamespaces without runner.allNamespaces fails with a message naming both values', () => {
  assert.match(templateError({ set: ['rbac.execNamespaces={other}'] }), /rbac\.execNamespaces is for runner\.allNamespaces=true/);
});

test('star mode across all namespaces gets no Role at all: listing is all it needs', () => {
  const objs = discovery(template({ files: [scenario('all-namespaces')], set: ['runner.mode=star'] }));
  assert.deepEqual(one(objs, 'ClusterRole').rules, [podsRead]);
  assert.equal(objs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').length, 0);
});

test('server.namespace puts the servers and the exec Role in a namespace without the bundled Pushgateway', () => {
  const objs = discovery(template({ files: [scenario('separate-server-namespace')] }));
  assert.equal(one(objs, 'DaemonSet').metadata.namespace, 'iperf3-servers');
  const role = one(objs, 'Role');
  assert.equal(role.metadata.namespace, 'iperf3-servers');
  assert.deepEqual(role.rules, [podsRead, podsExec]);
  assert.equal(one(objs, 'Deployment').metadata.namespace, 'netcheck');
  assert.equal(one(objs, 'RoleBinding').subjects[0].namespace, 'netcheck');
  const args = podSpec(one(objs, 'CronJob')).containers[0].args as string[];
  assert.equal(args[args.indexOf('--namespace') + 1], 'iperf3-servers');
});

test('without server.namespace the exec Role shares the bundled Pushgateway\'s namespace (the documented remainder)', () => {
  const objs = discovery(template({ files: [scenario('bundled-pushgateway')] }));
  assert.equal(one(objs, 'Role').metadata.namespace, one(objs, 'Deployment').metadata.namespace);
  assert.ok(grantsExec(one(objs, 'Role')));
});

test('the Role lives in the discovery namespace when it differs from the release namespace', () => {
  const objs = template({ set: ['runner.namespace=iperf3-servers'] });
  assert.equal(one(discovery(objs), 'Role').metadata.namespace, 'iperf3-servers');
  assert.equal(one(discovery(objs), 'RoleBinding').metadata.namespace, 'iperf3-servers');
  assert.equal(one(discovery(objs), 'RoleBinding').subjects[0].namespace, 'netcheck');
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
