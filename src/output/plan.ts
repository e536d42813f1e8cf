import type { Pair, Server } from '../model/types.ts';

// `--dry-run`: the servers found and the tests in the order the scheduler will prefer them.

export function renderPlan(servers: readonly Server[], pairs: readonly Pair[]): string {
  const lines = [`${servers.length} servers:`];
  for (const s of servers) lines.push(`  ${s.node}  ${s.ip}:${s.port}${s.pod ? `  (pod ${s.pod.namespace}/${s.pod.name})` : ''}`);
  lines.push(`${pairs.length} tests, in schedule order:`);
  pairs.forEach((p, i) => lines.push(`  ${String(i + 1).padStart(4)}  ${p.source.node} → ${p.destination.node}  ${p.protocol}`));
  return lines.join('\n') + '\n';
}
