import type { Pair } from '../model/types.ts';
import { orderByStaleness } from './staleness.ts';

// A per-run pair budget for big clusters (N×(N−1) grows fast): each run tests the `budget` pairs
// tested least recently — never-tested first, then oldest — so that every pair is covered within
// ⌈pairs/budget⌉ runs, new nodes are tested at once, and no state but the results themselves is kept.
// The chosen pairs stay in staleness order, so a deadline that cuts the budget short cuts the newest.

/** `lastTested(pair)`: unix seconds of its last result, undefined when it has none. */
export function selectBudget(pairs: readonly Pair[], budget: number, lastTested: (pair: Pair) => number | undefined): Pair[] {
  const ordered = orderByStaleness(pairs, lastTested);
  return budget <= 0 || budget >= pairs.length ? ordered : ordered.slice(0, budget);
}
