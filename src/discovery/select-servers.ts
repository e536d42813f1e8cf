import type { Server } from '../model/types.ts';
import { sortByNode } from '../model/sort-servers.ts';

// From the pods the API returned to the servers worth testing: Running and Ready, with an IP and a
// node, one per node and network (a DaemonSet rollout briefly has two: keep the newest), sorted by node
// name so that the plan — and so the schedule — is the same for the same cluster. A pod's network is
// its spec.hostNetwork: true → "host" (the chart's server DaemonSet), otherwise "pod" (its opt-in
// pod-network DaemonSet).

/** The fields of a pod that discovery reads (the client library's V1Pod fits). */
export interface PodView {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: Date | string; deletionTimestamp?: Date | string };
  spec?: { nodeName?: string; hostNetwork?: boolean; containers?: { name: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

export function selectServers(pods: readonly PodView[], port: number, container?: string): Server[] {
  const byEnd = new Map<string, { server: Server; created: number }>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    const ip = pod.status?.podIP;
    const name = pod.metadata?.name;
    if (!node || !ip || !name || pod.metadata?.deletionTimestamp) continue;
    if (pod.status?.phase !== 'Running') continue;
    if (!pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True')) continue;
    const created = new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
    const network = pod.spec?.hostNetwork === true ? 'host' : 'pod';
    const key = `${node}\u0000${network}`;
    const prev = byEnd.get(key);
    if (prev && prev.created >= created) continue;
    const server: Server = { node, ip, port, network, pod: { namespace: pod.metadata?.namespace ?? 'default', name } };
    const containerName = container ?? pod.spec?.containers?.[0]?.name;
    if (containerName) server.pod!.container = containerName;
    byEnd.set(key, { server, created });
  }
  return sortByNode([...byEnd.values()].map((entry) => entry.server));
}
