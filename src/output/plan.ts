import type { Pair, Server } from '../model/types.ts';
import { endpoint } from '../model/endpoint.ts';
import { networkOf, networksOf, pairNetwork } from '../model/network.ts';

// `--dry-run`: the servers found and the tests in plan order (the order the scheduler prefers them),
// with each one's network when the servers are on the pod network too.

export function renderPlan(servers: readonly Server[], pairs: readonly Pair[]): string {
  const named = networksOf(servers).some((network) => network !== 'host');
  const on = (network: string) => (named ? `  ${network}` : '');
  const lines = [`${servers.length} servers:`];
  for (const server of servers) {
    const pod = server.pod ? `  (pod ${server.pod.namespace}/${server.pod.name})` : '';
    lines.push(`  ${server.node}${on(networkOf(server))}  ${endpoint(server)}${pod}`);
  }
  lines.push(`${pairs.length} tests, in plan order:`);
  pairs.forEach((pair, index) =>
    lines.push(
      `  ${String(index + 1).padStart(4)}  ${pair.source.node} → ${pair.destination.node}  ${pair.protocol}${on(pairNetwork(pair))}`,
    ),
  );
  return lines.join('\n') + '\n';
}
