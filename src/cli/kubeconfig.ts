import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { DiscoveryError } from '../errors/discovery-error.ts';

// Where the Kubernetes credentials come from: --kubeconfig, else $KUBECONFIG, else ~/.kube/config,
// else the pod's service account (in-cluster) — the client library's own order. The client library silently falls back to
// http://localhost:8080 when it finds none of these; we say so instead.

export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  const source = file ?? process.env.KUBECONFIG ?? 'the default kubeconfig';
  try {
    if (file) {
      if (!existsSync(file)) throw new Error('no such file');
      kc.loadFromFile(file);
    } else {
      kc.loadFromDefault();
    }
  } catch (error) {
    throw new DiscoveryError('load kubeconfig', source, (error as Error).message.split('\n')[0] ?? String(error), { cause: error });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new DiscoveryError('load kubeconfig', source, 'no current context/cluster');
  if (!file && cluster.name === 'cluster' && cluster.server === 'http://localhost:8080') {
    throw new DiscoveryError(
      'load kubeconfig',
      'in-cluster or ~/.kube/config',
      'not running in a cluster and no kubeconfig found; pass --kubeconfig, or --targets to run without Kubernetes',
    );
  }
  return kc;
}
