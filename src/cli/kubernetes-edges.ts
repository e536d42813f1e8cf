import { Exec } from '@kubernetes/client-node';
import type { RunConfig, Discovery } from '../config/run-config.ts';
import type { Server } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import { discoverPods, apiPodLister } from '../discovery/kubernetes.ts';
import { kubernetesExecRunner } from '../exec/kubernetes-exec-runner.ts';
import { localRunner } from '../exec/local-runner.ts';
import { clientEnv } from '../config/iperf-auth.ts';
import { loadKubeConfig } from './kubeconfig.ts';

// The Kubernetes edges of a run: pod discovery through the API, and — in mesh mode — the client
// started through pods/exec. In a file of its own so that the client library (the bulk of the
// bundle) is loaded only by runs that use Kubernetes.

export function kubernetesEdges(
  discovery: Extract<Discovery, { kind: 'kubernetes' }>,
  config: RunConfig,
): { discover: () => Promise<Server[]>; runner: ClientRunner } {
  const kc = loadKubeConfig(discovery.kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  const discover = () =>
    discoverPods(apiPodLister(kc), {
      ...(discovery.namespace !== undefined ? { namespace: discovery.namespace } : {}),
      selector: discovery.selector,
      port: config.port,
      ...(discovery.container ? { container: discovery.container } : {}),
      ...(server ? { server } : {}),
    });
  const env = clientEnv(config.auth);
  const runner =
    config.mode === 'star'
      ? localRunner([config.iperf3], env)
      : config.clientCommand
        ? localRunner(config.clientCommand, env)
        : kubernetesExecRunner(new Exec(kc), config.iperf3, config.boundedClient);
  return { discover, runner };
}
