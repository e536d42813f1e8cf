import type { Network, Pair, Server } from './types.ts';

// The network dimension: a node may have a server on the host network and one on the pod network.
// Pairs stay within a network (the source's), and a pair's identity includes it, so that a host
// result never stands in for a pod one.

export const NETWORKS: readonly Network[] = ['host', 'pod'];

export function networkOf(server: Pick<Server, 'network'>): Network {
  return server.network ?? 'host';
}

/** The network a pair is measured over (its ends share it; see plan/pairs.ts). */
export function pairNetwork(pair: Pick<Pair, 'source'>): Network {
  return networkOf(pair.source);
}

export function isNetwork(value: unknown): value is Network {
  return value === 'host' || value === 'pod';
}

/** The networks present among `servers`, host first. */
export function networksOf(servers: readonly Pick<Server, 'network'>[]): Network[] {
  const present = new Set(servers.map(networkOf));
  return NETWORKS.filter((network) => present.has(network));
}

/** The nodes of `servers`, each once, in order: a node's host- and pod-network servers are one node (one NIC). */
export function nodesOf(servers: readonly Pick<Server, 'node'>[]): string[] {
  return [...new Set(servers.map((server) => server.node))];
}
