// What needs many nodes stays on KWOK (test/k8s/rig.sh up): the real control plane with 1000 fake nodes
// (KWOK plays their kubelets), the chart installed with `helm install --wait`, its server DaemonSet Running on
// all of them, and the runner, authenticated as the chart's ServiceAccount, discovering 1000 servers and
// planning the full cycle (--dry-run). Everything a pod really does runs on real nodes
// (nodes.test.ts, e2e.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Rig, repoDir, waitFor } from './rig.ts';

const count = 1000;
const ns = 'monitoring';
const nodeName = (i: number) => `kwok-${String(i).padStart(4, '0')}`;
const nodeIp = (i: number) => `10.232.${Math.floor(i / 250)}.${(i % 250) + 1}`;

describe(`k8s at scale: ${count} KWOK nodes, discovery and planning`, () => {
  const rig = new Rig();

  before(() => {
    rig.up([]);
    console.log(`# control plane start: ${rig.startSeconds.toFixed(1)}s`);
  });
  after(() => rig.down());

  test('API server reports the built version and enforces RBAC', () => {
    const v = JSON.parse(rig.kubectl(['get', '--raw', '/version'])) as { gitVersion: string; major: string; minor: string };
    assert.match(v.gitVersion, /^v1\.36\.\d+$/);
    assert.equal(v.major, '1');
    assert.equal(v.minor, '36');
    rig.kubectl(['create', 'serviceaccount', 'nobody', '-n', 'default']);
    const kc = rig.tokenKubeconfig('nobody', rig.token('nobody', 'default'));
    const denied = rig.kubectlRaw(['--kubeconfig', kc, 'get', 'pods']);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /forbidden/);
  });

  test(`${count} fake nodes become Ready`, async () => {
    const t0 = Date.now();
    const items = Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName(i),
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
        labels: { 'kubernetes.io/hostname': nodeName(i), 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      },
      status: { addresses: [{ type: 'InternalIP', address: nodeIp(i) }, { type: 'Hostname', address: nodeName(i) }] },
    }));
    rig.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    await waitFor(`${count} nodes Ready`, () => {
      const l = rig.kubectlJson<{ items: any[] }>(['get', 'nodes']).items;
      return l.filter((n) => n.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === count;
    }, 180);
    console.log(`# ${count} KWOK nodes Ready: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });

  test(`helm install --wait runs the server DaemonSet on all ${count} nodes; the runner discovers them and plans every pair`, async () => {
    rig.kubectl(['create', 'namespace', ns]);
    let t0 = Date.now();
    const r = rig.helm(['install', 'iperf3-monitor', join(repoDir, 'charts/iperf3-monitor'), '-n', ns, '--wait', '--timeout', '8m']);
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    // helm's wait can see the DaemonSet before its controller has created every pod (it creates them in
    // growing batches): wait for all of them to be Ready
    await waitFor(`${count} server pods Ready`, () => {
      const ds = rig.kubectlJson<any>(['get', 'daemonset', 'iperf3-monitor-server', '-n', ns]);
      return ds.status.desiredNumberScheduled === count && ds.status.numberReady === count;
    }, 300);
    console.log(`# helm install with ${count} server pods, all Ready: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const kc = rig.tokenKubeconfig('runner', rig.token('iperf3-monitor', ns), ns);
    t0 = Date.now();
    const run = spawnSync(process.execPath, [join(repoDir, 'dist/iperf3-monitor.mjs'), 'run', '--kubeconfig', kc, '--namespace', ns,
      '--dry-run', '--log-level', 'warn'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
    assert.equal(run.status, 0, run.stderr);
    console.log(`# discovery + plan of ${count} servers: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const lines = run.stdout.split('\n');
    assert.equal(lines[0], `${count} servers:`);
    const servers = new Map(lines.slice(1, count + 1).map((l) => l.trim().split(/\s+/)).map(([node, addr]) => [node!, addr!]));
    assert.equal(servers.size, count);
    for (let i = 0; i < count; i += 97) assert.equal(servers.get(nodeName(i)), `${nodeIp(i)}:5201`);
    assert.equal(lines[count + 1], `${count * (count - 1)} tests, in plan order:`);
    const planned = lines.slice(count + 2).filter(Boolean);
    assert.equal(planned.length, count * (count - 1));
    const keys = new Set<string>();
    for (const l of planned) {
      const [, src, , dst, proto] = l.trim().split(/\s+/);
      assert.ok(servers.has(src!) && servers.has(dst!) && src !== dst && proto === 'tcp', l);
      keys.add(`${src}>${dst}`);
    }
    assert.equal(keys.size, count * (count - 1), 'every ordered pair planned once');
  });
});
