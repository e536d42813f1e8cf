// Node and Pod objects created through a real apiserver (test/support/apiserver.ts) with the status a
// kubelet would report: Ready or NotReady nodes with zone labels, cordoned or being-deleted ones, and
// Running + Ready server pods with an IP (and, when asked, a second one on the pod network, as the
// chart's opt-in pod-network DaemonSet runs). No kubelet runs: the objects are what discovery reads.
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';

export interface NodeSpec {
  name: string;
  zone?: string;
  region?: string;
  state?: 'ready' | 'not-ready' | 'cordoned' | 'deleting';
  /** The server pod's IP (default 10.x.y.z from the index). */
  ip?: string;
  /** A pod-network server pod too (hostNetwork false, component server-pod) at this IP. */
  podIp?: string;
}

const LABELS = { 'app.kubernetes.io/name': 'iperf3-monitor', 'app.kubernetes.io/component': 'server' };
const POD_LABELS = { ...LABELS, 'app.kubernetes.io/component': 'server-pod' };

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function createCluster(kc: KubeConfig, namespace: string, nodes: readonly NodeSpec[], width = 16): Promise<void> {
  const api = kc.makeApiClient(CoreV1Api);
  await api.createNamespace({ body: { metadata: { name: namespace } } });
  await pool(nodes, width, async (spec) => {
    const labels: Record<string, string> = { 'kubernetes.io/hostname': spec.name };
    if (spec.zone) labels['topology.kubernetes.io/zone'] = spec.zone;
    if (spec.region) labels['topology.kubernetes.io/region'] = spec.region;
    const body: V1Node = {
      metadata: { name: spec.name, labels, ...(spec.state === 'deleting' ? { finalizers: ['iperf3-monitor.test/hold'] } : {}) },
      spec: { unschedulable: spec.state === 'cordoned' },
      status: {
        conditions: [
          { type: 'Ready', status: spec.state === 'not-ready' ? 'False' : 'True', reason: 'Test', lastHeartbeatTime: new Date() },
        ],
      },
    };
    await api.createNode({ body });
    // The finalizer holds the node in deletion: it keeps its deletionTimestamp until the test ends.
    if (spec.state === 'deleting') await api.deleteNode({ name: spec.name });
  });
  await pool(nodes, width, async (spec) => {
    const index = nodes.indexOf(spec);
    const ip = spec.ip ?? `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    await createServerPod(api, namespace, { name: `iperf3-${spec.name}`, node: spec.name, ip, hostNetwork: true });
    if (spec.podIp)
      await createServerPod(api, namespace, { name: `iperf3-pod-${spec.name}`, node: spec.name, ip: spec.podIp, hostNetwork: false });
  });
}

/** A Running + Ready server pod on `node`: the host-network one (component server) or the pod-network one (server-pod). */
async function createServerPod(
  api: CoreV1Api,
  namespace: string,
  { name, node, ip, hostNetwork }: { name: string; node: string; ip: string; hostNetwork: boolean },
): Promise<void> {
  const body: V1Pod = {
    metadata: { name, namespace, labels: hostNetwork ? LABELS : POD_LABELS },
    spec: { nodeName: node, hostNetwork, containers: [{ name: 'iperf3', image: 'iperf3:3.12' }] },
  };
  const created = await api.createNamespacedPod({ namespace, body });
  created.status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: hostNetwork ? ip : undefined,
    conditions: [{ type: 'Ready', status: 'True' }],
  };
  await api.replaceNamespacedPodStatus({ name, namespace, body: created });
}
