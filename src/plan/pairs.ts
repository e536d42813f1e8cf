import type { Pair, Protocol, Server } from '../model/types.ts';

// Orders the N×(N−1) directed pairs in rotation rounds (round r: node i → node i+r), so that each
// round is a perfect matching: every node sends once and receives once. A scheduler that takes
// pairs in this order runs N tests at a time without two of them sharing a server or a sender.

export interface PlanOptions {
  mode: 'mesh' | 'star';
  /** Star mode: the node the client runs on. */
  sourceNode?: string;
  protocols: readonly Protocol[];
}

/** Servers must already be sorted and unique per node (see discovery). */
export function planPairs(servers: readonly Server[], opts: PlanOptions): Pair[] {
  const count = servers.length;
  const pairs: Pair[] = [];
  if (opts.mode === 'star') {
    // The runner's own node may have no server (tainted, excluded): it still tests every server.
    const index = servers.findIndex((server) => server.node === opts.sourceNode);
    const source: Server = index >= 0 ? servers[index]! : { node: opts.sourceNode ?? '', ip: '', port: 0 };
    const others = index >= 0 ? [...servers.slice(index + 1), ...servers.slice(0, index)] : [...servers];
    for (const protocol of opts.protocols) {
      for (const destination of others) pairs.push({ source, destination, protocol });
    }
    return pairs;
  }
  for (const protocol of opts.protocols) {
    for (let round = 1; round < count; round++) {
      for (let index = 0; index < count; index++)
        pairs.push({ source: servers[index]!, destination: servers[(index + round) % count]!, protocol });
    }
  }
  return pairs;
}
