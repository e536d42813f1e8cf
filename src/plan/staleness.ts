import type { Pair } from '../model/types.ts';

// The order a run tests its pairs in: least recently measured first (never measured before all),
// ties in plan (rotation) order. Whatever cuts a run short — its deadline, SIGTERM, a pair budget, a
// hung server — then cuts the pairs measured most recently, so no pair loses every run: the pairs a
// run did not reach are the oldest in the next one. The only state is the results themselves (the
// timestamps the Pushgateway holds), so this holds across runner restarts.
//
// It keeps the scheduler fast too: the scheduler runs each sender's tests in this order, and after a
// run of whole rounds every sender's timestamps rise in the same round order, so the next run replays
// the same perfect matchings (one test out of and one into each node) starting from the oldest round.

/** `lastTested(pair)`: unix seconds of its last result, undefined when it has none. */
export function orderByStaleness(pairs: readonly Pair[], lastTested: (pair: Pair) => number | undefined): Pair[] {
  return pairs
    .map((pair, position) => ({ pair, position, testedAt: lastTested(pair) ?? -Infinity }))
    .sort((left, right) => left.testedAt - right.testedAt || left.position - right.position)
    .map(({ pair }) => pair);
}
