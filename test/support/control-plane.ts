// A private Kubernetes control plane for one test file, with an admin and a "runner" user: the etcd and
// kube-apiserver of ./apiserver.ts, plus kubectl (test/k8s/build.sh's tools) for the admin. Not the rig: no
// network namespaces, nothing machine-wide.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { K8S_BIN, startApiServer, writeTokenKubeconfig } from './apiserver.ts';

export interface ControlPlane {
  adminKubeconfig: string;
  runnerKubeconfig: string;
  kubectl(...args: string[]): string;
  stop(): Promise<void>;
}

export async function startControlPlane(): Promise<ControlPlane> {
  if (!existsSync(join(K8S_BIN, 'kubectl'))) execFileSync('test/k8s/build.sh', ['tools'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const api = await startApiServer(['runner']);
  const kubectl = (...args: string[]) =>
    execFileSync(join(K8S_BIN, 'kubectl'), ['--kubeconfig', api.kubeconfig, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    adminKubeconfig: api.kubeconfig,
    runnerKubeconfig: writeTokenKubeconfig(join(api.dir, 'runner.kubeconfig'), api.url, api.tokenOf('runner'), 'runner'),
    kubectl,
    stop: api.stop,
  };
}
