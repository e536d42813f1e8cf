import type { Registry } from 'prom-client';
import type { Pushgateway, GroupLabels } from './pushgateway.ts';
import { PushError } from '../errors/push-error.ts';

// Publishes a cycle: one PUT per source node (grouping key {job, source_node}), then the run's own
// group {job}, then deletes the groups of this job whose source node no longer exists (a removed
// node must not keep reporting its last numbers forever) and the groups whose every result expired. Every group is attempted even when
// another failed; the failures are returned, and any failure makes the run fail.

export interface PushOutcome {
  pushed: string[];
  deleted: string[];
  errors: PushError[];
}

export async function pushResults(
  gw: Pushgateway,
  job: string,
  sources: ReadonlyMap<string, Registry>,
  run: Registry,
  liveNodes: ReadonlySet<string>,
  /** The gateway's groups before this push (read once per run); listed afresh when not given. */
  existing?: readonly Record<string, string>[],
  /** Source nodes whose group has nothing left to say (all results expired). */
  emptied: readonly string[] = [],
): Promise<PushOutcome> {
  const out: PushOutcome = { pushed: [], deleted: [], errors: [] };
  const attempt = async (what: string, f: () => Promise<void>, into: string[]) => {
    try {
      await f();
      into.push(what);
    } catch (e) {
      out.errors.push(e instanceof PushError ? e : new PushError('push', what, String(e), { cause: e }));
    }
  };
  const groupOf = (node: string): GroupLabels => [['job', job], ['source_node', node]];
  const queue = [...sources.entries()];
  // A few PUTs at a time: hundreds of sources should not take hundreds of round trips in a row.
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [node, reg] = next;
        const body = await reg.metrics();
        await attempt(node, () => gw.put(groupOf(node), body), out.pushed);
      }
    }),
  );
  const runBody = await run.metrics();
  await attempt('(run)', () => gw.put([['job', job]], runBody), out.pushed);
  let groups: readonly Record<string, string>[] = existing ?? [];
  if (!existing) {
    try {
      groups = await gw.groups();
    } catch (e) {
      out.errors.push(e as PushError);
    }
  }
  for (const g of groups) {
    const node = g.source_node;
    if (g.job !== job || node === undefined || liveNodes.has(node)) continue;
    // Only groups keyed exactly {job, source_node} are ours to delete.
    if (Object.keys(g).some((k) => k !== 'job' && k !== 'source_node')) continue;
    await attempt(node, () => gw.delete(groupOf(node)), out.deleted);
  }
  for (const node of emptied) {
    if (!sources.has(node) && groups.some((g) => g.job === job && g.source_node === node)) {
      await attempt(node, () => gw.delete(groupOf(node)), out.deleted);
    }
  }
  return out;
}
