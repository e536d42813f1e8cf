import type { Pair, PairResult, SkipReason } from '../model/types.ts';
import { pairKey, type PreviousPair } from '../push/previous-results.ts';

// How much of the mesh the Pushgateway holds fresh results for, after this run's push: every pair
// the plan has, its last measurement from this run or an earlier one (results past
// --max-result-age are dropped by the push, so they count as unmeasured here too). A pair skipped
// because an end was judged down counts as judged at this run's end.

export interface Coverage {
  /** Pairs the plan has (all protocols). */
  pairs: number;
  /** Pairs with no result left in the Pushgateway (never measured, or expired). */
  unmeasured: number;
  /** Share of the pairs measured within the last coverage period, 0–1. */
  measuredRatio: number;
  /** Age of the oldest pair result, seconds (0 when there is none). */
  oldestAgeS: number;
}

const JUDGED_DOWN: ReadonlySet<SkipReason> = new Set(['destination-down', 'source-down']);

/** `nowS`, `notBeforeS`: unix seconds; `periodS`: the coverage period (plan/sizing.ts). */
export function coverageOf(
  planned: readonly Pair[],
  results: readonly PairResult[],
  previous: ReadonlyMap<string, PreviousPair> | undefined,
  at: { nowS: number; notBeforeS: number; periodS: number },
): Coverage {
  const fresh = new Map<string, number>();
  for (const result of results) {
    const key = pairKey(result.pair);
    // A pair not tried because an end was judged down in this run is accounted for now, by the failing
    // tests that judged it (and the node alerts on them), as the pair budget counts it (run/cycle.ts).
    if (result.status === 'skipped' && JUDGED_DOWN.has(result.skipped)) fresh.set(key, at.nowS);
    if (result.status === 'skipped' || result.finishedAt <= 0) continue;
    fresh.set(key, result.finishedAt / 1000);
  }
  let unmeasured = 0;
  let recent = 0;
  let oldest = Infinity;
  for (const pair of planned) {
    const key = pairKey(pair);
    const earlier = previous?.get(key)?.timestamp;
    const last = fresh.get(key) ?? (earlier !== undefined && earlier >= at.notBeforeS ? earlier : undefined);
    if (last === undefined) {
      unmeasured++;
      continue;
    }
    if (at.nowS - last <= at.periodS) recent++;
    oldest = Math.min(oldest, last);
  }
  return {
    pairs: planned.length,
    unmeasured,
    measuredRatio: planned.length > 0 ? recent / planned.length : 1,
    oldestAgeS: Number.isFinite(oldest) ? Math.max(0, at.nowS - oldest) : 0,
  };
}
