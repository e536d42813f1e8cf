import { KubeConfig } from '@kubernetes/client-node';
import { apiPodLister, discoverPods } from '../../src/discovery/kubernetes.ts';
import { apiNodeLister, listNodes, withNodes } from '../../src/discovery/nodes.ts';
import { DEFAULT_SELECTOR } from '../../src/cli/run-options.ts';
import { startApiServer } from '../support/apiserver.ts';
import { createCluster } from '../support/cluster-objects.ts';
import { median } from './measure.ts';

// Discovery at scale against a real etcd + kube-apiserver of the bench's own (test/support/apiserver.ts):
// N Node objects (3 zones) and N Running + Ready server pods created through the API, then the
// runner's discovery — pods in pages of 500, Nodes in pages of 500, zones joined — timed 3 times.

export interface DiscoveryRow {
  n: number;
  /** Creating the objects through the API, s (setup, not the runner's cost). */
  createS: number;
  /** Pods listed and selected, ms (median of 3). */
  podsMs: number;
  /** Pods and Nodes (in parallel, as the runner does) and the join, ms (median of 3). */
  podsAndNodesMs: number;
  servers: number;
}

export async function discoveryAtScale(n: number): Promise<DiscoveryRow> {
  const api = await startApiServer();
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfig);
    const zones = ['a', 'b', 'c'];
    const nodes = Array.from({ length: n }, (_, i) => ({ name: `node-${String(i).padStart(4, '0')}`, zone: zones[i % 3]!, region: 'r' }));
    let t = performance.now();
    await createCluster(kc, 'net', nodes, 32);
    const createS = (performance.now() - t) / 1000;
    const pods = () => discoverPods(apiPodLister(kc), { namespace: 'net', selector: DEFAULT_SELECTOR, port: 5201 });
    const podsMs: number[] = [];
    const bothMs: number[] = [];
    let servers = 0;
    for (let k = 0; k < 3; k++) {
      t = performance.now();
      await pods();
      podsMs.push(performance.now() - t);
      t = performance.now();
      const [found, listed] = await Promise.all([pods(), listNodes(apiNodeLister(kc))]);
      servers = withNodes(found, listed).servers.length;
      bothMs.push(performance.now() - t);
    }
    return { n, createS, podsMs: median(podsMs), podsAndNodesMs: median(bothMs), servers };
  } finally {
    await api.stop();
  }
}
