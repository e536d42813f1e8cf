import type { PairResult } from '../model/types.ts';
import { pairKey, type PreviousPair } from './previous-results.ts';

// The push policy for results of earlier runs. A PUT replaces a whole source group, so a group this
// run rewrites must carry the earlier results it did not re-test, or they would vanish.
//
// A group is rewritten when this run has new results for its source or when some of its results
// expired; a rewritten group keeps the earlier results this run did not re-test, unless they are
// older than the cut-off or name a node that is gone for good (retention.ts: a node merely not
// discovered keeps its results until they are too old). A group left with nothing is deleted.

export interface CarryOver {
  /** Earlier results to write back unchanged. */
  carried: PreviousPair[];
  /** Source nodes whose group has nothing left to say: to delete. */
  emptied: string[];
}

/** `notBefore`: unix seconds; earlier results are dropped. `gone`: nodes whose results go now. */
export function carryOver(
  previous: ReadonlyMap<string, PreviousPair>,
  results: readonly PairResult[],
  gone: (node: string) => boolean,
  notBefore: number,
): CarryOver {
  const measured = results.filter((result) => result.status !== 'skipped');
  const tested = new Set(measured.map(({ pair }) => pairKey(pair)));
  const rewritten = new Set(measured.map(({ pair }) => pair.source.node));
  for (const earlier of previous.values()) {
    if (earlier.timestamp < notBefore || gone(earlier.destination)) rewritten.add(earlier.source);
  }
  const keeps = (key: string, earlier: PreviousPair) =>
    !tested.has(key) &&
    rewritten.has(earlier.source) &&
    !gone(earlier.source) &&
    !gone(earlier.destination) &&
    earlier.timestamp >= notBefore;
  const carried = [...previous].filter(([key, earlier]) => keeps(key, earlier)).map(([, earlier]) => earlier);
  const kept = new Set([...carried.map((earlier) => earlier.source), ...measured.map(({ pair }) => pair.source.node)]);
  const emptied = [...rewritten].filter((source) => !gone(source) && !kept.has(source));
  return { carried, emptied };
}
