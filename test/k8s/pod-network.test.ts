// Pod network next to host network on real nodes (test/k8s/rig.sh up-real): the chart with
// server.podNetwork.enabled runs a second server DaemonSet on the pod network (bridge CNI, each node's own
// pod CIDR), the runner Job discovers both servers of every node and measures every pair over both networks;
// the Pushgateway holds each pair with network="host" and network="pod", and the per-node aggregates too;
// `helm test` (the verify hook, same selector) gates on both networks' pairs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Rig, repoDir } from './rig.ts';
import { ensureImages } from './images.ts';
import { allPairs, diagnose, installCrds, jobDone, jobLog, manifestOf, oneOf, pods, pushgatewayUrl, samples } from './release.ts';

const chartDir = join(repoDir, 'charts/iperf3-monitor');
const nodes = ['node-a', 'node-b', 'node-c'];
const release = 'iperf3-monitor';
const ns = 'monitoring';
const job = 'iperf3-monitor';
const installArgs = ['--set', 'pushgateway.enabled=true', '--set', 'runner.suspend=true', '--set', 'server.podNetwork.enabled=true',
  '--set', 'verify.enabled=true', '--set', 'verify.minTcpMbps=50'];

describe('pod network next to host network on real nodes', () => {
  const rig = new Rig();

  before(() => {
    ensureImages();
    rig.upReal(nodes);
    installCrds(rig);
    rig.kubectl(['create', 'namespace', ns]);
    const r = rig.helm(['install', release, chartDir, '-n', ns, ...installArgs, '--wait', '--timeout', '3m']);
    assert.equal(r.status, 0, `helm install failed:\n${r.stderr}\n${r.stdout}\n${diagnose(rig, ns)}`);
  });
  after(() => rig.down());

  test('a host-network and a pod-network server on every node, Ready', () => {
    const lab = rig.labNodes();
    const host = pods(rig, ns, 'app.kubernetes.io/component=server');
    const pod = pods(rig, ns, 'app.kubernetes.io/component=server-pod');
    assert.deepEqual(host.map((p) => p.spec.nodeName).sort(), nodes);
    assert.deepEqual(pod.map((p) => p.spec.nodeName).sort(), nodes);
    for (const p of host) assert.equal(p.status.podIP, lab.get(p.spec.nodeName)?.ip);
    for (const p of pod) {
      assert.equal(p.spec.hostNetwork ?? false, false);
      assert.match(p.status.podIP, /^10\.244\.\d+\.\d+$/, `${p.metadata.name} has a pod-CIDR address`);
      assert.equal(p.status.containerStatuses[0].ready, true, `${p.metadata.name} Ready`);
    }
    const ds = manifestOf(rig, release, ns).filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name).sort();
    assert.deepEqual(ds, ['iperf3-monitor-server', 'iperf3-monitor-server-pod']);
  });

  test('a Job from the CronJob pushes every pair with network="host" and network="pod"', async () => {
    const cron = oneOf(manifestOf(rig, release, ns), 'CronJob');
    const t0 = Date.now();
    rig.kubectl(['create', 'job', '--from', `cronjob/${cron.metadata.name}`, 'both-1', '-n', ns]);
    assert.equal(await jobDone(rig, 'both-1', ns), 'Complete', `${jobLog(rig, 'both-1', ns)}\n${diagnose(rig, ns)}`);
    console.log(`# Job wall (12 tests, both networks): ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const url = pushgatewayUrl(rig, ns);
    const ok = await samples(url, job, 'iperf_test_success');
    const key = (s: { source: string; destination: string; labels: Record<string, string> }) => `${s.labels.network} ${s.source}>${s.destination}`;
    const want = ['host', 'pod'].flatMap((network) => allPairs(nodes).map((pair) => `${network} ${pair}`)).sort();
    assert.deepEqual(ok.map(key).sort(), want, jobLog(rig, 'both-1', ns));
    assert.ok(ok.every((s) => s.value === 1), JSON.stringify(ok));
    const bw = await samples(url, job);
    assert.deepEqual(bw.map(key).sort(), want);
    const ratios = allPairs(nodes).map((pair) => {
      const of = (network: string) => bw.find((s) => key(s) === `${network} ${pair}`)!.value;
      return `${pair} host ${of('host').toFixed(1)} pod ${of('pod').toFixed(1)} (${(of('pod') / of('host')).toFixed(3)})`;
    });
    console.log(`# Mbit/s per pair, pod/host: ${ratios.join('; ')}`);
    for (const s of bw) assert.ok(s.value > 50, `${key(s)} ${s.value}`);
    const aggregates = await samples(url, job, 'iperf_node_bandwidth_mbps');
    const networks = new Set(aggregates.map((s) => s.labels.network));
    assert.deepEqual([...networks].sort(), ['host', 'pod'], 'per-node aggregates per network');
  });

  test('helm test runs verify over both networks: 12 TCP pairs pass the floor, the pod-network ones named apart', () => {
    const r = rig.helm(['test', release, '-n', ns, '--logs', '--timeout', '5m']);
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    const rows = (protocol: string) =>
      [...r.stdout.matchAll(/^\| (node-\w) \| (node-\w) \| ([^|]+) \| ([\d.]+) \|.* pass \|$/gm)].filter((m) => m[3] === protocol).map((m) => `${m[1]}>${m[2]}`).sort();
    console.log(`# helm test over both networks: ${r.stdout.split('\n').find((l) => / pairs between /.test(l))}`);
    assert.deepEqual(rows('tcp'), allPairs(nodes), r.stdout);
    assert.deepEqual(rows('tcp (pod network)'), allPairs(nodes), r.stdout);
    assert.match(r.stdout, /^12 pairs between 3 nodes, 12 passed, 0 failed;/m);
  });
});
