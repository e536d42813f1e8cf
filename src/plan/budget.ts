import type { Pair } from '../model/types.ts';

// A per-run pair budget for big clusters (N×(N−1) grows fast): each run tests the `budget` pairs
// tested least recently — never-tested first, then oldest — so that every pair is covered within
// ⌈pairs/budget⌉ runs, new nodes are tested at once, and no state but the results themselves is kept.
// The chosen pairs keep their plan (rotation) order.

/** `lastTested(pair)`: unix seconds of its last result, undefined when it has none. */
export function selectBudget(pairs: readonly Pair[], budget: number, lastTested: (pair: Pair) => number | undefined): Pair[] {
  if (budget <= 0 || budget >= pairs.length) return [...pairs];
  return pairs
    .map((pair, position) => ({ pair, position, testedAt: lastTested(pair) ?? -Infinity }))
    .sort((left, right) => left.testedAt - right.testedAt || left.position - right.position)
    .slice(0, budget)
    .sort((left, right) => left.position - right.position)
    .map(({ pair }) => pair);
}
