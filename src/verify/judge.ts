import type { PairResult } from '../model/types.ts';
import { previousKey } from '../push/previous-results.ts';
import type { Baseline, Floors } from './floors.ts';

// The gate's decision, pure: each tested pair against the floors. A pair passes when its test
// succeeded and its bandwidth is at or above every floor that applies to it. A failed test fails the
// gate (the path does not work); a test that was not run (deadline, signal) fails it too, because the
// gate cannot vouch for a path it did not measure. A pair with no baseline is judged by the absolute
// floor alone, and says so.

export type VerdictKind = 'pass' | 'below-floor' | 'below-baseline' | 'test-failed' | 'not-tested';

export interface Verdict {
  result: PairResult;
  kind: VerdictKind;
  /** Measured Mbit/s (success only). */
  mbps?: number;
  /** The absolute floor that applied, Mbit/s. */
  floorMbps?: number;
  /** The pair's baseline, Mbit/s, when one was asked for and found. */
  baselineMbps?: number;
  /** What the pair had to reach: the highest floor that applied. */
  requiredMbps?: number;
  /** One line: why it failed, with the numbers; or a note for a pass ("no baseline"). */
  reason: string;
}

export function judge(results: readonly PairResult[], floors: Floors, baseline: Baseline): Verdict[] {
  return results.map((result) => {
    const { pair } = result;
    const floorMbps = floors.minMbps[pair.protocol];
    const base =
      floors.baselineRatio !== undefined ? baseline.get(previousKey(pair.source.node, pair.destination.node, pair.protocol)) : undefined;
    const v: Omit<Verdict, 'kind' | 'reason'> = { result };
    if (floorMbps !== undefined) v.floorMbps = floorMbps;
    if (base !== undefined) v.baselineMbps = base;
    const fromBaseline = base !== undefined ? base * floors.baselineRatio! : undefined;
    const required = Math.max(floorMbps ?? 0, fromBaseline ?? 0);
    if (floorMbps !== undefined || fromBaseline !== undefined) v.requiredMbps = required;

    if (result.status === 'skipped') return { ...v, kind: 'not-tested', reason: `not tested (${result.skipped})` };
    if (result.status === 'failure') return { ...v, kind: 'test-failed', reason: `${result.failure!.kind}: ${result.failure!.message}` };
    const mbps = result.measurement!.bandwidthMbps;
    v.mbps = mbps;
    if (floorMbps !== undefined && mbps < floorMbps) {
      return { ...v, kind: 'below-floor', reason: `${fmt(mbps)} Mbit/s is below the ${pair.protocol} floor of ${fmt(floorMbps)} Mbit/s` };
    }
    if (fromBaseline !== undefined && mbps < fromBaseline) {
      const pct = Math.round(floors.baselineRatio! * 100);
      return {
        ...v,
        kind: 'below-baseline',
        reason: `${fmt(mbps)} Mbit/s is ${fmt((mbps / base!) * 100)} % of its baseline ${fmt(base!)} Mbit/s, below ${pct} % (${fmt(fromBaseline)} Mbit/s)`,
      };
    }
    const note = floors.baselineRatio !== undefined && base === undefined ? 'no baseline' : '';
    return { ...v, kind: 'pass', reason: note };
  });
}

export const passed = (verdicts: readonly Verdict[]): boolean => verdicts.every((v) => v.kind === 'pass');

/** One decimal, no trailing ".0" noise for whole numbers. */
export function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
