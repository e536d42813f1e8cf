import type { Failure, Pair, PairResult, SkipReason } from '../model/types.ts';
import { pairKey } from '../push/previous-results.ts';
import { decimal } from './decimal.ts';
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

/** What one pair is held to; `fromBaseline` is its baseline times the ratio. */
interface Bar {
  floorMbps?: number;
  baseline?: { mbps: number; ratio: number; fromBaseline: number };
  /** --baseline-ratio was given but this pair has no baseline. */
  baselineMissing: boolean;
}

export function judge(results: readonly PairResult[], floors: Floors, baseline: Baseline): Verdict[] {
  return results.map((result) => judgePair(result, barFor(result.pair, floors, baseline)));
}

export const passed = (verdicts: readonly Verdict[]): boolean => verdicts.every((verdict) => verdict.kind === 'pass');

function barFor(pair: Pair, floors: Floors, baseline: Baseline): Bar {
  const floorMbps = floors.minMbps[pair.protocol];
  const bar: Bar = { ...(floorMbps !== undefined ? { floorMbps } : {}), baselineMissing: false };
  const ratio = floors.baselineRatio;
  if (ratio === undefined) return bar;
  const mbps = baseline.get(pairKey(pair));
  if (mbps === undefined) return { ...bar, baselineMissing: true };
  return { ...bar, baseline: { mbps, ratio, fromBaseline: mbps * ratio } };
}

function judgePair(result: PairResult, bar: Bar): Verdict {
  const known: Omit<Verdict, 'kind' | 'reason'> = { result, ...barFigures(bar) };
  switch (result.status) {
    case 'skipped':
      return { ...known, kind: 'not-tested', reason: notTested(result.skipped) };
    case 'failure':
      return { ...known, kind: 'test-failed', reason: testFailed(result.failure) };
    case 'success':
      return { ...known, mbps: result.measurement.bandwidthMbps, ...measured(result.pair, result.measurement.bandwidthMbps, bar) };
  }
}

/** The figures a verdict shows whatever became of the test. */
function barFigures(bar: Bar): Pick<Verdict, 'floorMbps' | 'baselineMbps' | 'requiredMbps'> {
  const figures: Pick<Verdict, 'floorMbps' | 'baselineMbps' | 'requiredMbps'> = {};
  if (bar.floorMbps !== undefined) figures.floorMbps = bar.floorMbps;
  if (bar.baseline) figures.baselineMbps = bar.baseline.mbps;
  if (bar.floorMbps !== undefined || bar.baseline) {
    figures.requiredMbps = Math.max(bar.floorMbps ?? 0, bar.baseline?.fromBaseline ?? 0);
  }
  return figures;
}

function measured(pair: Pair, mbps: number, bar: Bar): Pick<Verdict, 'kind' | 'reason'> {
  if (bar.floorMbps !== undefined && mbps < bar.floorMbps) {
    return {
      kind: 'below-floor',
      reason: `${decimal(mbps)} Mbit/s is below the ${pair.protocol} floor of ${decimal(bar.floorMbps)} Mbit/s`,
    };
  }
  const { baseline } = bar;
  if (baseline && mbps < baseline.fromBaseline) {
    const share = `${decimal((mbps / baseline.mbps) * 100)} % of its baseline ${decimal(baseline.mbps)} Mbit/s`;
    const required = `${Math.round(baseline.ratio * 100)} % (${decimal(baseline.fromBaseline)} Mbit/s)`;
    return { kind: 'below-baseline', reason: `${decimal(mbps)} Mbit/s is ${share}, below ${required}` };
  }
  return { kind: 'pass', reason: bar.baselineMissing ? 'no baseline' : '' };
}

const notTested = (reason: SkipReason) => `not tested (${reason})`;
const testFailed = (failure: Failure) => `${failure.kind}: ${failure.message}`;
