import type { Registry } from 'prom-client';
import type { Pushgateway, GroupLabels } from './pushgateway.ts';
import { PushError } from '../errors/push-error.ts';

// Publishes a cycle: one PUT per source node (grouping key {job, source_node}), then the run's own
// group {job}, then deletes the groups of this job whose source node is gone (a removed node must not
// keep reporting its last numbers forever; see retention.ts) and the groups whose every result expired.
// Every group is attempted even when another failed; the failures are returned, and any failure
// makes the run fail.

export interface PushOutcome {
  pushed: string[];
  deleted: string[];
  errors: PushError[];
}

export interface Publication {
  job: string;
  /** One registry per source node. */
  sources: ReadonlyMap<string, Registry>;
  /** The run's own metrics. */
  run: Registry;
  /** Source nodes whose group stays (discovered now, or not gone for longer than --max-result-age): other groups are deleted. */
  liveNodes: ReadonlySet<string>;
  /** Grouping labels of every group the gateway held before this push (read once per run). */
  existing: readonly Record<string, string>[];
  /** Source nodes whose group has nothing left to say (all results expired). */
  emptied: readonly string[];
}

/** PUTs at a time: hundreds of sources should not take hundreds of round trips in a row. */
const PUTS_IN_FLIGHT = 4;

export async function pushResults(gateway: Pushgateway, publication: Publication): Promise<PushOutcome> {
  const { job, sources, run, liveNodes, existing, emptied } = publication;
  const out: PushOutcome = { pushed: [], deleted: [], errors: [] };
  const attempt = async (what: string, request: () => Promise<void>, into: string[]) => {
    try {
      await request();
      into.push(what);
    } catch (error) {
      out.errors.push(error instanceof PushError ? error : new PushError('push', what, String(error), { cause: error }));
    }
  };
  const groupOf = (node: string): GroupLabels => [
    ['job', job],
    ['source_node', node],
  ];
  // A small pool of its own rather than p-map: four workers over one queue, each PUT's failure already
  // caught by `attempt`, so a library would add a dependency and nothing else.
  const queue = [...sources.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [node, registry] = next;
      const body = await registry.metrics();
      await attempt(node, () => gateway.put(groupOf(node), body), out.pushed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUTS_IN_FLIGHT, queue.length) }, worker));
  const runBody = await run.metrics();
  await attempt('(run)', () => gateway.put([['job', job]], runBody), out.pushed);
  const ours = existing.filter((group) => group.job === job && group.source_node !== undefined);
  const deleting = new Set<string>();
  for (const { source_node: node = '', ...rest } of ours) {
    // Only groups keyed exactly {job, source_node} are ours to delete.
    if (liveNodes.has(node) || Object.keys(rest).some((key) => key !== 'job')) continue;
    deleting.add(node);
    await attempt(node, () => gateway.delete(groupOf(node)), out.deleted);
  }
  for (const node of emptied) {
    if (!sources.has(node) && !deleting.has(node) && ours.some((group) => group.source_node === node)) {
      await attempt(node, () => gateway.delete(groupOf(node)), out.deleted);
    }
  }
  return out;
}
