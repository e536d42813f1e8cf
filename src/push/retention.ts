import type { PreviousPair } from './previous-results.ts';

// How long the results of a node that was not discovered in this run stay in the Pushgateway. A node
// NotReady for a moment, or a server pod mid-rollout, must not lose its group and its carried results:
// they stay, marked stale by their own timestamps, until they are older than --max-result-age. Only
// when the cluster's Node objects are known (nodes may be read) and the node has none is it gone at once.

export interface RetentionInput {
  /** Nodes discovered in this run. */
  discovered: ReadonlySet<string>;
  /** Names of the cluster's Node objects, when nodes may be read; undefined: unknown. */
  nodeObjects?: ReadonlySet<string> | undefined;
  previous: ReadonlyMap<string, PreviousPair>;
  /** Unix seconds: results older than this are dropped. */
  notBefore: number;
}

export interface Retention {
  /** The node is gone for good: its results and its group go now. */
  gone: (node: string) => boolean;
  /** Source nodes whose Pushgateway group stays: discovered now, or with a result still young enough. */
  keptSources: ReadonlySet<string>;
}

export function retention({ discovered, nodeObjects, previous, notBefore }: RetentionInput): Retention {
  const gone = (node: string) => !discovered.has(node) && nodeObjects !== undefined && !nodeObjects.has(node);
  const keptSources = new Set(discovered);
  for (const earlier of previous.values()) {
    if (!gone(earlier.source) && earlier.timestamp >= notBefore) keptSources.add(earlier.source);
  }
  return { gone, keptSources };
}
