import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Server } from '../model/types.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import { describeApiError, listPages, PAGE_SIZE } from './kubernetes.ts';

// Nodes, read once per run when the runner may (--node-zones; the chart's opt-in nodes get/list):
// each server gets its node's zone and region (topology.kubernetes.io/*), and servers on nodes that
// cannot take a fair test — cordoned, NotReady, being deleted — are set aside and reported as
// skipped, not failed (their pairs are not tested, so nothing is pushed about them).

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';

/** The fields of a node that discovery reads (the client library's V1Node fits). */
export interface NodeView {
  metadata?: { name?: string; labels?: Record<string, string>; deletionTimestamp?: Date | string };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

export type NodeSkipReason = 'cordoned' | 'not-ready' | 'deleting' | 'no-node';

export interface NodeLister {
  list(): Promise<NodeView[]>;
}

export function apiNodeLister(kc: KubeConfig, timeoutMs = 30_000, limit = PAGE_SIZE): NodeLister {
  const api = kc.makeApiClient(CoreV1Api);
  return { list: () => listPages(timeoutMs, (page) => api.listNode({ limit, ...page })) };
}

export interface ZonedServers {
  servers: Server[];
  skipped: { node: string; reason: NodeSkipReason }[];
}

/** Why a node cannot take a fair test now, or undefined when it can. */
export function nodeSkipReason(node: NodeView | undefined): NodeSkipReason | undefined {
  if (!node) return 'no-node';
  if (node.metadata?.deletionTimestamp) return 'deleting';
  if (node.spec?.unschedulable) return 'cordoned';
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  return ready?.status === 'True' ? undefined : 'not-ready';
}

/** Servers on usable nodes, with their zone and region; the others with the reason. Order kept. */
export function withNodes(servers: readonly Server[], nodes: readonly NodeView[]): ZonedServers {
  const byName = new Map(nodes.map((node) => [node.metadata?.name ?? '', node]));
  const kept: Server[] = [];
  const skipped: ZonedServers['skipped'] = [];
  for (const server of servers) {
    const node = byName.get(server.node);
    const reason = nodeSkipReason(node);
    if (reason) {
      // A node with a host- and a pod-network server is set aside once.
      if (!skipped.some((entry) => entry.node === server.node)) skipped.push({ node: server.node, reason });
      continue;
    }
    const labels = node?.metadata?.labels ?? {};
    kept.push({
      ...server,
      ...(labels[ZONE_LABEL] ? { zone: labels[ZONE_LABEL] } : {}),
      ...(labels[REGION_LABEL] ? { region: labels[REGION_LABEL] } : {}),
    });
  }
  return { servers: kept, skipped };
}

export async function listNodes(lister: NodeLister, server?: string): Promise<NodeView[]> {
  try {
    return await lister.list();
  } catch (error) {
    throw new DiscoveryError('list nodes', server ?? 'the cluster', describeApiError(error), { cause: error });
  }
}
