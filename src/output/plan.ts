import type { Pair, Server } from '../model/types.ts';
import { endpoint } from '../model/endpoint.ts';
import { networkOf, networksOf, pairNetwork } from '../model/network.ts';

// `--dry-run`: the servers found and the tests the run would make, in its order: at most --max-pairs,
// the zoned plan's rounds with --cross-zone-share, least recently measured first when the Pushgateway's
// results could be read, and where a --deadline would stop the run; each server's and test's network
// when the servers are on the pod network too.

export interface PlanView {
  /** Tests in the whole plan (the run makes `pairs`, at most --max-pairs of them). */
  planned: number;
  /** The order's basis: 'in plan order', or 'least recently measured first' (the gateway was read). */
  order: string;
  /** Tests a run fits before its deadline (plan/sizing.ts); absent or ≥ the tests: all of them. */
  testsPerRun?: number;
}

export function renderPlan(servers: readonly Server[], pairs: readonly Pair[], view?: PlanView): string {
  const named = networksOf(servers).some((network) => network !== 'host');
  const on = (network: string) => (named ? `  ${network}` : '');
  const lines = [`${servers.length} servers:`];
  for (const server of servers) {
    const pod = server.pod ? `  (pod ${server.pod.namespace}/${server.pod.name})` : '';
    lines.push(`  ${server.node}${on(networkOf(server))}  ${endpoint(server)}${pod}`);
  }
  const planned = view && view.planned > pairs.length ? ` of ${view.planned} (--max-pairs)` : '';
  lines.push(`${pairs.length} tests${planned}, ${view?.order ?? 'in plan order'}:`);
  const cut = view?.testsPerRun !== undefined && view.testsPerRun < pairs.length ? view.testsPerRun : undefined;
  pairs.forEach((pair, index) => {
    if (index === cut) lines.push(`  -- a run fits about ${cut} tests before --deadline: the ones below wait for a later run --`);
    lines.push(
      `  ${String(index + 1).padStart(4)}  ${pair.source.node} → ${pair.destination.node}  ${pair.protocol}${on(pairNetwork(pair))}`,
    );
  });
  return lines.join('\n') + '\n';
}
