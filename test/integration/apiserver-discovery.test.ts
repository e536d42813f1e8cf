import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { apiPodLister, discoverPods } from '../../src/discovery/kubernetes.ts';
import { apiNodeLister, listNodes, withNodes } from '../../src/discovery/nodes.ts';
import { DEFAULT_SELECTOR } from '../../src/cli/run-options.ts';
import { startApiServer, writeTokenKubeconfig, type ApiServer } from '../support/apiserver.ts';
import { createCluster, type NodeSpec } from '../support/cluster-objects.ts';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

// Discovery with Nodes against a real etcd + kube-apiserver of this test's own: pods and nodes are
// listed in pages (limit/continue), servers get their node's zone and region, cordoned, NotReady and
// deleting nodes are skipped (not failed), the chart's RBAC (pods in the namespace, nodes get/list
// cluster-wide) is enough and nodes without it is a clear error; through the CLI with a real iperf3
// and a real Pushgateway, the pair series carry source_zone and destination_zone.

let api: ApiServer & { tokenOf: (user: string) => string };
let iperf: Iperf3Server;
let gw: RealPushgateway;
const kc = (file: string) => {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return config;
};

const NODES: NodeSpec[] = [
  ...['a', 'b', 'c'].flatMap((zone) => [1, 2, 3].map((i) => ({ name: `n-${zone}${i}`, zone, region: 'eu' }))),
  { name: 'n-cordoned', zone: 'a', state: 'cordoned' },
  { name: 'n-notready', zone: 'b', state: 'not-ready' },
  { name: 'n-deleting', zone: 'c', state: 'deleting' },
];

before(async () => {
  ensureBuilt();
  api = await startApiServer(['runner', 'podsonly']);
  await createCluster(kc(api.kubeconfig), 'net', NODES);
  // The chart's rules with rbac.nodes: pods get/list in the namespace, nodes get/list cluster-wide.
  const rbac = kc(api.kubeconfig).makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace: 'net',
    body: { metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
  });
  await rbac.createClusterRole({
    body: { metadata: { name: 'nodes' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] },
  });
  for (const user of ['runner', 'podsonly']) {
    await rbac.createNamespacedRoleBinding({
      namespace: 'net',
      body: {
        metadata: { name: user },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods' },
        subjects: [{ kind: 'User', name: user }],
      },
    });
  }
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: 'runner-nodes' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'nodes' },
      subjects: [{ kind: 'User', name: 'runner' }],
    },
  });
});
after(async () => {
  iperf?.stop();
  await gw?.stop();
  await api?.stop();
});

const userConfig = (user: string) => writeTokenKubeconfig(join(api.dir, `kubeconfig-${user}`), api.url, api.tokenOf(user), user);

test('pods and nodes are read in pages of 5: zones and regions on the servers, unusable nodes skipped with the reason', async () => {
  const config = kc(userConfig('runner'));
  const pods = await discoverPods(apiPodLister(config, 30_000, 5), { namespace: 'net', selector: DEFAULT_SELECTOR, port: 5201 });
  assert.equal(pods.length, 12, 'every page of pods');
  const nodes = await listNodes(apiNodeLister(config, 30_000, 5));
  assert.equal(nodes.length, 12, 'every page of nodes');
  const { servers, skipped } = withNodes(pods, nodes);
  assert.deepEqual(
    servers.map((s) => `${s.node}@${s.zone}/${s.region}`),
    ['a', 'b', 'c'].flatMap((zone) => [1, 2, 3].map((i) => `n-${zone}${i}@${zone}/eu`)),
  );
  assert.deepEqual(skipped, [
    { node: 'n-cordoned', reason: 'cordoned' },
    { node: 'n-deleting', reason: 'deleting' },
    { node: 'n-notready', reason: 'not-ready' },
  ]);
});

test('without nodes get/list the node read fails naming the call, the cluster and the answer', async () => {
  await assert.rejects(listNodes(apiNodeLister(kc(userConfig('podsonly'))), api.url), (error: Error) => {
    assert.equal(error.name, 'DiscoveryError');
    assert.match(
      error.message,
      new RegExp(
        `^list nodes ${api.url.replace(/\./g, '\\.')}: HTTP 403: nodes is forbidden: User "podsonly" cannot list resource "nodes"`,
      ),
    );
    return true;
  });
});

test('through the CLI with --node-zones: the pair series carry source_zone and destination_zone', async () => {
  // Every server pod of namespace "lab" is at 127.0.0.1, where one real iperf3 serves (one test at a time).
  iperf = await startIperf3Server();
  gw = await startPushgateway();
  const lab: NodeSpec[] = [
    { name: 'l1', zone: 'z1', ip: '127.0.0.1' },
    { name: 'l2', zone: 'z2', ip: '127.0.0.1' },
    { name: 'l3', zone: 'z2', ip: '127.0.0.1' },
    { name: 'l4', zone: 'z1', ip: '127.0.0.1', state: 'cordoned' },
  ];
  await createCluster(kc(api.kubeconfig), 'lab', lab);
  const rbac = kc(api.kubeconfig).makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace: 'lab',
    body: { metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: 'lab',
    body: {
      metadata: { name: 'runner' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods' },
      subjects: [{ kind: 'User', name: 'runner' }],
    },
  });
  const r = await runCli(
    [
      'run',
      '--kubeconfig',
      userConfig('runner'),
      '--namespace',
      'lab',
      '--node-zones',
      '--client-command',
      'env NODE={node} iperf3',
      '--concurrency',
      '1',
      '--duration',
      '1',
      '--omit',
      '0',
      '--port',
      String(iperf.port),
      '--pushgateway',
      gw.url,
      '--output',
      'json',
    ],
    {},
    90_000,
  );
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(
    report.servers.map((s) => s.node),
    ['l1', 'l2', 'l3'],
  );
  assert.equal(report.summary.success, 6, r.stdout);
  assert.match(r.stderr, /"skipped":\[\{"node":"l4","reason":"cordoned"\}\]/);
  const text = await gw.metrics();
  assert.match(
    text,
    /^iperf_network_bandwidth_mbps\{destination_node="l2",destination_zone="z2",instance="",job="iperf3-monitor",network="host",protocol="tcp",source_node="l1",source_zone="z1"\} \d/m,
  );
  assert.equal([...text.matchAll(/^iperf_test_success\{[^}]*source_zone="z\d"[^}]*\} 1$/gm)].length, 6);
});

const SET_SELECTOR = 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/component in (server,server-pod)';

test('a set-based selector finds both server DaemonSets: one server per node and network, the network from spec.hostNetwork', async () => {
  const dual: NodeSpec[] = [
    { name: 'd1', ip: '10.1.0.1', podIp: '10.244.1.5' },
    { name: 'd2', ip: '10.1.0.2', podIp: '10.244.2.5' },
    { name: 'd3', ip: '10.1.0.3' },
    { name: 'd4', ip: '10.1.0.4', podIp: '10.244.4.5', state: 'cordoned' },
  ];
  await createCluster(kc(api.kubeconfig), 'dual', dual);
  const lister = apiPodLister(kc(api.kubeconfig), 30_000, 2);
  const both = await discoverPods(lister, { namespace: 'dual', selector: SET_SELECTOR, port: 5201 });
  assert.deepEqual(
    both.map((s) => `${s.node} ${s.network} ${s.ip} ${s.pod?.name}`),
    [
      'd1 host 10.1.0.1 iperf3-d1',
      'd1 pod 10.244.1.5 iperf3-pod-d1',
      'd2 host 10.1.0.2 iperf3-d2',
      'd2 pod 10.244.2.5 iperf3-pod-d2',
      'd3 host 10.1.0.3 iperf3-d3',
      'd4 host 10.1.0.4 iperf3-d4',
      'd4 pod 10.244.4.5 iperf3-pod-d4',
    ],
  );
  // A cordoned node's two servers are set aside, and the node reported once.
  const { servers, skipped } = withNodes(both, await listNodes(apiNodeLister(kc(api.kubeconfig))));
  assert.equal(servers.length, 5);
  assert.deepEqual(skipped.filter((entry) => entry.node.startsWith('d')), [{ node: 'd4', reason: 'cordoned' }]);
  const hostOnly = await discoverPods(lister, { namespace: 'dual', selector: DEFAULT_SELECTOR, port: 5201 });
  assert.deepEqual(
    hostOnly.map((s) => `${s.node} ${s.network}`),
    ['d1 host', 'd2 host', 'd3 host', 'd4 host'],
  );
});

test('through the CLI over both networks: pod pairs between the pod-network servers, a network label on every series, an older push read back as host', async () => {
  iperf ??= await startIperf3Server();
  const gateway = await startPushgateway();
  try {
    // Both servers of both nodes are at 127.0.0.1, where one real iperf3 serves (one test at a time).
    await createCluster(kc(api.kubeconfig), 'duallab', [
      { name: 'm1', ip: '127.0.0.1', podIp: '127.0.0.1' },
      { name: 'm2', ip: '127.0.0.1', podIp: '127.0.0.1' },
    ]);
    // What a runner without the network label pushed a minute ago: m1 → m2 (the host network's).
    const earlierS = Math.floor(Date.now() / 1000) - 60;
    const old = `${['iperf_network_bandwidth_mbps', 'iperf_test_success', 'iperf_test_timestamp_seconds'].map((name) => `# TYPE ${name} gauge\n`).join('')}iperf_network_bandwidth_mbps{destination_node="m2",protocol="tcp"} 123\niperf_test_success{destination_node="m2",protocol="tcp"} 1\niperf_test_timestamp_seconds{destination_node="m2",protocol="tcp"} ${earlierS}\n`;
    const seeded = await fetch(`${gateway.url}/metrics/job/iperf3-monitor/source_node/m1`, { method: 'PUT', body: old });
    assert.equal(seeded.status, 200);
    const args = ['run', '--kubeconfig', api.kubeconfig, '--namespace', 'duallab', '--selector', SET_SELECTOR, '--client-command', 'env NODE={node} iperf3'];
    const options = ['--concurrency', '1', '--duration', '1', '--omit', '0', '--port', String(iperf.port), '--max-pairs', '3', '--pushgateway', gateway.url];
    const r = await runCli([...args, ...options, '--output', 'json'], {}, 90_000);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(
      report.servers.map((s) => `${s.node} ${s.network}`),
      ['m1 host', 'm1 pod', 'm2 host', 'm2 pod'],
    );
    // The pair budget takes the never-tested pairs: the pod pair m1 → m2 is one, whatever the host one did.
    assert.deepEqual(
      report.pairs.map((p) => `${p.source_node}→${p.destination_node} ${p.network} ${p.status}`).sort(),
      ['m1→m2 pod success', 'm2→m1 host success', 'm2→m1 pod success'],
    );
    const text = await gateway.metrics();
    const series = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => `${m[1]} ${m[2]}`);
    // The older result is carried with network="host" and its value; the pod pair has its own series.
    assert.ok(
      series('iperf_network_bandwidth_mbps').includes('destination_node="m2",instance="",job="iperf3-monitor",network="host",protocol="tcp",source_node="m1" 123'),
      text,
    );
    assert.deepEqual(
      series('iperf_test_success').map((s) => s.replace(/^destination_node="(\w+)",instance="",job="iperf3-monitor",network="(\w+)",protocol="tcp",source_node="(\w+)" /, '$3→$1 $2 ')).sort(),
      ['m1→m2 host 1', 'm1→m2 pod 1', 'm2→m1 host 1', 'm2→m1 pod 1'],
    );
    assert.equal(series('iperf_network_bandwidth_mbps').filter((s) => !s.includes('network=')).length, 0, 'no series without the label');
    assert.match(text, /^iperf_node_bandwidth_mbps\{direction="out",instance="",job="iperf3-monitor",network="pod",node="m1",protocol="tcp",stat="min"\} \d/m);
  } finally {
    await gateway.stop();
  }
});
