import type { Network, Pair, Protocol, Server } from '../model/types.ts';
import { networkOf, networksOf } from '../model/network.ts';

// Orders the N×(N−1) directed pairs in rotation rounds (round r: node i → node i+r), so that each
// round is a perfect matching: every node sends once and receives once. A scheduler that takes
// pairs in this order runs N tests at a time without two of them sharing a server or a sender.
//
// With servers on two networks (host and pod), pairs stay within a network, and each round is laid
// out once per network (round r on the host network, then round r on the pod network): both
// networks' rounds are the same matching of nodes, and the scheduler keeps the two apart in time
// (it keys occupancy by node), so the two networks' tests never share a NIC.

export interface PlanOptions {
  mode: 'mesh' | 'star';
  /** Star mode: the node the client runs on. */
  sourceNode?: string;
  protocols: readonly Protocol[];
}

/** Servers must already be sorted and unique per node and network (see discovery). */
export function planPairs(servers: readonly Server[], opts: PlanOptions): Pair[] {
  const networks = networksOf(servers).map((network) => servers.filter((server) => networkOf(server) === network));
  const pairs: Pair[] = [];
  for (const protocol of opts.protocols) {
    if (opts.mode === 'star') {
      for (const members of networks) pairs.push(...starPairs(members, opts.sourceNode ?? '', protocol));
      continue;
    }
    const largest = Math.max(0, ...networks.map((members) => members.length));
    for (let round = 1; round < largest; round++) {
      for (const members of networks) {
        if (round >= members.length) continue;
        members.forEach((source, index) => pairs.push({ source, destination: members[(index + round) % members.length]!, protocol }));
      }
    }
  }
  return pairs;
}

/** Star mode on one network: the runner's node to every other server. */
function starPairs(servers: readonly Server[], sourceNode: string, protocol: Protocol): Pair[] {
  // The runner's own node may have no server (tainted, excluded): it still tests every server.
  const index = servers.findIndex((server) => server.node === sourceNode);
  const network: Network = networkOf(servers[0] ?? {});
  const source: Server = index >= 0 ? servers[index]! : { node: sourceNode, ip: '', port: 0, network };
  const others = index >= 0 ? [...servers.slice(index + 1), ...servers.slice(0, index)] : [...servers];
  return others.map((destination) => ({ source, destination, protocol }));
}
