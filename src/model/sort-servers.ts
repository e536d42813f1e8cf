import type { Server } from './types.ts';

// Servers in node-name order (code-unit order, not locale order): the same cluster gives the same plan,
// and so the same schedule, on every machine.

export function sortByNode(servers: Server[]): Server[] {
  return servers.sort((left, right) => (left.node < right.node ? -1 : left.node > right.node ? 1 : 0));
}
