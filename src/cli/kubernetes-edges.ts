import { Exec } from '@kubernetes/client-node';
import type { RunConfig, Discovery } from '../config/run-config.ts';
import type { Server } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import type { Logger } from 'pino';
import { discoverPods, apiPodLister } from '../discovery/kubernetes.ts';
import { apiNodeLister, listNodes, withNodes } from '../discovery/nodes.ts';
import { kubernetesExecRunner } from '../exec/kubernetes-exec-runner.ts';
import { localRunner } from '../exec/local-runner.ts';
import { clientEnv } from '../config/iperf-auth.ts';
import { loadKubeConfig } from './kubeconfig.ts';

// The Kubernetes edges of a run: pod discovery through the API, and — in mesh mode — the client
// started through pods/exec. In a file of its own so that the client library (the bulk of the
// bundle) is loaded only by runs that use Kubernetes.

export interface KubernetesEdges {
  discover: () => Promise<Server[]>;
  runner: ClientRunner;
  /** With --node-zones: the names of the Node objects the last discovery read (a node without one is gone). */
  nodeObjects?: () => Promise<ReadonlySet<string> | undefined>;
}

export function kubernetesEdges(discovery: Extract<Discovery, { kind: 'kubernetes' }>, config: RunConfig, log?: Logger): KubernetesEdges {
  const kc = loadKubeConfig(discovery.kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  const pods = () =>
    discoverPods(apiPodLister(kc), {
      ...(discovery.namespace !== undefined ? { namespace: discovery.namespace } : {}),
      selector: discovery.selector,
      port: config.port,
      ...(discovery.container ? { container: discovery.container } : {}),
      ...(server ? { server } : {}),
    });
  const env = clientEnv(config.auth);
  // With --node-zones: Nodes once per run, after the pods; servers on unusable nodes are skipped.
  let nodeNames: ReadonlySet<string> | undefined;
  const discover = !discovery.nodeZones
    ? pods
    : async () => {
        const [found, nodes] = await Promise.all([pods(), listNodes(apiNodeLister(kc), server)]);
        nodeNames = new Set(nodes.flatMap((node) => (node.metadata?.name ? [node.metadata.name] : [])));
        const { servers, skipped } = withNodes(found, nodes);
        if (skipped.length > 0) log?.warn({ skipped }, 'servers on cordoned, NotReady or deleting nodes skipped: not tested this run');
        return servers;
      };
  const runner =
    config.mode === 'star'
      ? localRunner([config.iperf3], env)
      : config.clientCommand
        ? localRunner(config.clientCommand, env)
        : kubernetesExecRunner(new Exec(kc), config.iperf3, config.boundedClient);
  return { discover, runner, ...(discovery.nodeZones ? { nodeObjects: () => Promise.resolve(nodeNames) } : {}) };
}
