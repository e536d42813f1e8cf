import type { Pair } from '../model/types.ts';

// A per-run pair budget for big clusters (N×(N−1) grows fast): each run tests the `budget` pairs
// tested least recently — never-tested first, then oldest — so that every pair is covered within
// ⌈pairs/budget⌉ runs, new nodes are tested at once, and no state but the results themselves is kept.
// The chosen pairs keep their plan (rotation) order.

/** `lastTested(pair)`: unix seconds of its last result, undefined when it has none. */
export function selectBudget(pairs: readonly Pair[], budget: number, lastTested: (p: Pair) => number | undefined): Pair[] {
  if (budget <= 0 || budget >= pairs.length) return [...pairs];
  const ranked = pairs
    .map((p, i) => ({ i, t: lastTested(p) ?? -Infinity }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .slice(0, budget)
    .map((x) => x.i)
    .sort((a, b) => a - b);
  return ranked.map((i) => pairs[i]!);
}
