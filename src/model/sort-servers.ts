import type { Server } from './types.ts';
import { networkOf } from './network.ts';

// Servers in node-name order (code-unit order, not locale order), a node's host-network server before
// its pod-network one: the same cluster gives the same plan, and so the same schedule, on every machine.

export function sortByNode(servers: Server[]): Server[] {
  return servers.sort(
    (left, right) => compare(left.node, right.node) || compare(networkOf(left) === 'host' ? 0 : 1, networkOf(right) === 'host' ? 0 : 1),
  );
}

function compare<T extends string | number>(left: T, right: T): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
