import { Exec } from '@kubernetes/client-node';
import type { RunConfig, Discovery } from '../config/run-config.ts';
import type { Server } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import { discoverPods, apiPodLister } from '../discovery/kubernetes.ts';
import { kubernetesExecRunner } from '../exec/kubernetes-exec-runner.ts';
import { localRunner } from '../exec/local-runner.ts';
import { loadKubeConfig } from './kubeconfig.ts';

// The Kubernetes edges of a run: pod discovery through the API, and — in mesh mode — the client
// started through pods/exec. In a file of its own so that the client library (the bulk of the
// bundle) is loaded only by runs that use Kubernetes.

export function kubernetesEdges(d: Extract<Discovery, { kind: 'kubernetes' }>, config: RunConfig): { discover: () => Promise<Server[]>; runner: ClientRunner } {
  const kc = loadKubeConfig(d.kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  const discover = () =>
    discoverPods(apiPodLister(kc), {
      ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
      selector: d.selector,
      port: config.port,
      ...(d.container ? { container: d.container } : {}),
      ...(server ? { server } : {}),
    });
  const runner =
    config.mode === 'star'
      ? localRunner([config.iperf3])
      : config.clientCommand
        ? localRunner(config.clientCommand)
        : kubernetesExecRunner(new Exec(kc), config.iperf3, config.boundedClient);
  return { discover, runner };
}
