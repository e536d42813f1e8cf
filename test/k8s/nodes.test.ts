// The real-node rig itself (test/k8s/rig.sh up-real): three kubelets with their own containerd and runc,
// each in its lab network namespace; pods on the pod network get an address of their node's pod CIDR and
// are reachable from the other nodes; Services work through kube-proxy and cluster DNS; exec and logs go
// through the real kubelet; and `rig.sh down` leaves the host as it was before `up-real`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { Rig, waitFor } from './rig.ts';
import { diff, snapshot, type HostState } from './host-state.ts';

const nodes = ['node-a', 'node-b', 'node-c'];
const pgImage = 'quay.io/prometheus/pushgateway';

describe('k8s rig: real kubelet nodes on lab namespaces', () => {
  const rig = new Rig();
  let hostBefore: HostState;

  before(() => {
    hostBefore = snapshot();
    rig.upReal(nodes);
    console.log(`# real-node cluster start (3 nodes, images imported, all Ready): ${rig.startSeconds.toFixed(1)}s`);
  });
  after(() => rig.down());

  test('every node is a Ready kubelet v1.36 on containerd with its lab IP and the images imported', () => {
    const lab = rig.labNodes();
    const list = rig.kubectlJson<{ items: any[] }>(['get', 'nodes']).items;
    assert.deepEqual(list.map((n) => n.metadata.name).sort(), nodes);
    for (const n of list) {
      const name = n.metadata.name as string;
      assert.equal(n.status.conditions.find((c: any) => c.type === 'Ready')?.status, 'True', name);
      assert.equal(n.status.addresses.find((a: any) => a.type === 'InternalIP')?.address, lab.get(name)?.ip);
      assert.match(n.status.nodeInfo.kubeletVersion, /^v1\.36\.\d+$/);
      assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/1\.6\./);
      const images = rig.ctr(name, ['images', 'ls', '-q']);
      assert.match(images, /registry\.k8s\.io\/pause:/, `${name} holds the pause image`);
      assert.match(images, new RegExp(`${pgImage.replaceAll('.', '\\.')}:`), `${name} holds the Pushgateway image`);
    }
  });

  test('pod-network pods get their node\'s pod CIDR, reach each other across nodes, and a Service works by name', async () => {
    rig.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'pg', namespace: 'default' },
          spec: {
            selector: { matchLabels: { app: 'pg' } },
            template: {
              metadata: { labels: { app: 'pg' } },
              spec: {
                containers: [{
                  name: 'pg',
                  image: `${pgImage}:${imageTag()}`,
                  imagePullPolicy: 'Never',
                  args: ['--web.listen-address=:9091'],
                  ports: [{ containerPort: 9091 }],
                  readinessProbe: { httpGet: { path: '/-/ready', port: 9091 }, periodSeconds: 2 },
                }],
              },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'pg', namespace: 'default' },
          spec: { selector: { app: 'pg' }, ports: [{ port: 80, targetPort: 9091 }] },
        },
      ],
    }));
    const pods = await waitFor('pg pods Ready on every node', () => {
      const l = rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-l', 'app=pg']).items;
      const ready = l.filter((p) => p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === nodes.length ? ready : false;
    }, 120);
    const lab = rig.labNodes();
    const cidrOf = (node: string) => {
      const i = Number(rig.kubectlJson<any>(['get', 'node', node]).status.addresses.find((a: any) => a.type === 'InternalIP').address.split('.')[3]) - 10;
      return `10.244.${i}.`;
    };
    for (const p of pods) assert.ok(p.status.podIP.startsWith(cidrOf(p.spec.nodeName)), `${p.metadata.name} ${p.status.podIP} in ${p.spec.nodeName}'s CIDR`);
    // every node reaches every other node's pod (routes between the pod CIDRs)
    for (const from of nodes) {
      for (const p of pods.filter((p) => p.spec.nodeName !== from)) {
        const r = rig.inNode(from, ['curl', '-fsS', '--max-time', '5', `http://${p.status.podIP}:9091/-/ready`]);
        assert.equal(r.status, 0, `${from} -> pod on ${p.spec.nodeName}: ${r.stderr}`);
      }
    }
    // cluster DNS gives the Service's ClusterIP; kube-proxy forwards it from every node
    const svc = rig.kubectlJson<any>(['get', 'service', 'pg']);
    const resolver = new Resolver();
    resolver.setServers(['10.231.0.1']);
    assert.deepEqual(await resolver.resolve4('pg.default.svc.cluster.local'), [svc.spec.clusterIP]);
    // kube-proxy programs the Service a moment after its endpoints turn ready (CI once saw "connection
    // refused" from one node right after the pods were Ready): each node gets a bounded wait for its rules
    for (const from of nodes) {
      let last = '';
      await waitFor(`${from} -> Service ${svc.spec.clusterIP}`, () => {
        const r = rig.inNode(from, ['curl', '-fsS', '--max-time', '5', `http://${svc.spec.clusterIP}/-/healthy`]);
        last = r.stderr;
        return r.status === 0;
      }, 30).catch((e: Error) => assert.fail(`${e.message}: ${last}`));
    }
    assert.ok(lab.size === nodes.length);
  });

  test('exec and logs go through the real kubelet and runtime', () => {
    const pod = rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-l', 'app=pg']).items[0];
    const out = rig.kubectlRaw(['exec', pod.metadata.name, '--', '/bin/pushgateway', '--version']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout + out.stderr, /pushgateway, version/);
    const bad = rig.kubectlRaw(['exec', pod.metadata.name, '--', '/bin/sh', '-c', 'true']);
    assert.notEqual(bad.status, 0, 'no shell in the image');
    assert.match(bad.stderr + bad.stdout, /no such file or directory|not found/i);
    assert.match(rig.kubectl(['logs', pod.metadata.name]), /pushgateway/i);
  });

  test('rig.sh down leaves the host as it was (sysctls, cgroups, mounts, netns, processes, iptables, paths)', () => {
    rig.down();
    const changes = diff(hostBefore, snapshot());
    assert.deepEqual(changes, []);
  });
});

function imageTag(): string {
  // the stand-in carries the chart's bundled Pushgateway tag (test/k8s/build.sh reads values.yaml)
  const values = readFileSync(new URL('../../charts/iperf3-monitor/values.yaml', import.meta.url), 'utf8');
  const m = /pushgateway:[\s\S]*?\n {2}image:[\s\S]*?tag: (\S+)/.exec(values);
  return m![1]!;
}
