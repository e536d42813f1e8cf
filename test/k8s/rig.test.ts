// The test control plane itself: real API server with RBAC, KWOK fake nodes whose InternalIPs are lab
// network namespaces, hostNetwork DaemonSet pods Running with the node IP, exec through the real
// pods/exec path landing in the right lab node, TokenRequest tokens, and the prometheus-operator CRDs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, crdDir, waitFor } from './rig.ts';

const nodes = ['node-a', 'node-b', 'node-c'];

describe('k8s rig: control plane with KWOK nodes on lab namespaces', () => {
  const rig = new Rig();

  before(() => {
    rig.up(nodes);
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
    const who = rig.kubectlRaw(['--kubeconfig', kc, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout, 'system:serviceaccount:default:nobody');
    const denied = rig.kubectlRaw(['--kubeconfig', kc, 'get', 'pods']);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /forbidden/);
  });

  test('fake nodes are Ready with the lab IPs as InternalIP', () => {
    const lab = rig.labNodes();
    const list = rig.kubectlJson<{ items: any[] }>(['get', 'nodes']);
    assert.deepEqual(list.items.map((n) => n.metadata.name).sort(), nodes);
    for (const n of list.items) {
      const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
      assert.equal(ready?.status, 'True', n.metadata.name);
      const ip = n.status.addresses.find((a: any) => a.type === 'InternalIP')?.address;
      assert.equal(ip, lab.get(n.metadata.name)?.ip);
    }
  });

  test('the prometheus-operator CRDs install and serve', () => {
    const dir = crdDir();
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      rig.kubectl(['apply', '--server-side', '-f', join(dir, f)]);
    }
    rig.kubectl(['wait', '--for=condition=Established', 'crd/servicemonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com', '--timeout=60s']);
    assert.match(rig.kubectl(['api-resources', '--api-group=monitoring.coreos.com']), /servicemonitors/);
  });

  test('a hostNetwork DaemonSet runs on every node with the node IP; exec runs iperf3 in that node', async () => {
    rig.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'probe', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'probe' } },
        template: {
          metadata: { labels: { app: 'probe' } },
          spec: { hostNetwork: true, containers: [{ name: 'iperf3', image: 'example.invalid/iperf3:1', args: ['-s'] }] },
        },
      },
    }));
    const lab = rig.labNodes();
    const pods = await waitFor('probe pods Running', () => {
      const l = rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-l', 'app=probe']).items;
      return l.length === nodes.length && l.every((p) => p.status.phase === 'Running' && p.status.podIP) ? l : false;
    });
    for (const p of pods) assert.equal(p.status.podIP, lab.get(p.spec.nodeName)?.ip, p.metadata.name);

    rig.syncExecs();
    const src = pods.find((p) => p.spec.nodeName === 'node-a')!;
    const dst = lab.get('node-b')!.ip;
    const out = await waitFor('exec through KWOK', () => {
      const r = rig.kubectlRaw(['exec', src.metadata.name, '-c', 'iperf3', '--', 'iperf3', '-c', dst, '-t', '1', '-J']);
      return r.status === 0 ? r.stdout : false;
    }, 30);
    const json = JSON.parse(out) as { start: { connected: { local_host: string; remote_host: string }[] }; end: any };
    assert.equal(json.start.connected[0]?.local_host, lab.get('node-a')!.ip);
    assert.equal(json.start.connected[0]?.remote_host, dst);
    assert.ok(json.end.sum_received.bits_per_second > 0);
  });
});
