import type { Logger } from 'pino';
import type { Pair, PairResult } from '../model/types.ts';
import type { ScheduleEvent, ScheduleOptions } from '../schedule/scheduler.ts';
import { runSchedule } from '../schedule/scheduler.ts';
import type { Clock } from '../schedule/clock.ts';
import type { TestOutcome } from '../model/types.ts';
import { calibrationSample, findSuspects, type Suspect } from '../interference/detect.ts';

// The re-test phase: after the full-duplex pass, the readings that look corrupted by another test's
// traffic (interference/detect.ts) are measured again, alone — exclusive, so no node sends and
// receives at once — within the same cycle and its deadline. A re-test replaces the reading it
// re-tested; a suspect left untested (budget, deadline, a failed re-test) keeps its reading, marked.

export interface RetestOptions {
  /** Re-tests at most (the most suspicious first); 0: suspects are only marked. */
  maxRetests: number;
  tolerance: number;
  schedule: Omit<ScheduleOptions, 'exclusive'>;
}

export interface RetestDeps {
  clock: Clock;
  log: Logger;
  runTest: (pair: Pair, signal: AbortSignal) => Promise<TestOutcome>;
  onEvent?: (event: ScheduleEvent) => void;
}

export interface InterferenceSummary {
  /** Readings suspected of interference (by the detector, or by a calibration re-test that read higher). */
  suspected: number;
  /** Re-tests alone (suspects and the calibration sample); the re-test is published. */
  retested: number;
  /** Re-tests that read more than the tolerance above the suspected reading: interference confirmed. */
  confirmed: number;
  /** Suspects published with their suspected reading (over the budget, past the deadline, re-test failed). */
  unresolved: number;
  /** Wall time of the re-test phase, s. */
  retestS: number;
}

export async function retestSuspects(
  results: PairResult[],
  options: RetestOptions,
  deps: RetestDeps,
  signal?: AbortSignal,
): Promise<{ results: PairResult[]; summary: InterferenceSummary }> {
  const out = [...results];
  const summary: InterferenceSummary = { suspected: 0, retested: 0, confirmed: 0, unresolved: 0, retestS: 0 };
  const started = deps.clock.now();
  const nodes = new Set(results.flatMap((result) => [result.pair.source.node, result.pair.destination.node]));
  const slot = Math.max(1, Math.floor(nodes.size / 2)); // tests one exclusive slot holds
  const judged = new Set<number>(); // suspected or re-tested already: judged once per cycle
  // Rounds: re-test the suspects (the worst first), then judge again with the clean re-test readings
  // as references, until nothing new is suspected or the budget, the deadline or the caller stops it.
  for (let round = 1; ; round++) {
    const suspects = findSuspects(out, options.tolerance, results).filter((suspect) => !judged.has(suspect.index));
    const budget = options.maxRetests - summary.retested;
    const worstFirst = [...suspects].sort((one, other) => one.mbps / one.referenceMbps - other.mbps / other.referenceMbps);
    const batch = worstFirst.slice(0, Math.max(0, budget)).map((suspect) => suspect.index);
    for (const suspect of suspects) {
      judged.add(suspect.index);
      out[suspect.index] = mark(out[suspect.index]!, suspect);
    }
    summary.suspected += suspects.length;
    // The first round fills its exclusive slot with a calibration sample (see calibrationSample), where
    // one more slot costs at most a tenth of the pass.
    if (round === 1 && budget > 0 && batch.length < slot && calibrationIsCheap(results)) {
      const extra = calibrationSample(results, Math.min(slot, budget) - batch.length, new Set([...batch, ...judged]));
      batch.push(...extra);
    }
    if (batch.length === 0 || signal?.aborted) break;
    batch.sort((one, other) => one - other); // plan order: the rotation keeps the exclusive schedule tight
    if (suspects.length > 0) {
      deps.log.warn(
        { round, suspected: suspects.length, retesting: batch.length, max_retests: options.maxRetests },
        'readings suspected of interference from full-duplex traffic; re-testing them alone',
      );
    }
    const retests = await runSchedule(
      batch.map((index) => results[index]!.pair),
      { ...options.schedule, exclusive: true },
      { clock: deps.clock, runTest: deps.runTest, ...(deps.onEvent ? { onEvent: deps.onEvent } : {}) },
      signal,
    );
    batch.forEach((index, position) => {
      judged.add(index);
      applyRetest(out, index, retests[position]!, options.tolerance, summary);
    });
    if (signal?.aborted) break;
  }
  summary.retestS = (deps.clock.now() - started) / 1000;
  summary.unresolved = out.filter((result) => result.interference?.verdict === 'suspect').length;
  if (summary.suspected > 0 || summary.retested > 0) deps.log.info(summary, 're-tests finished');
  return { results: out, summary };
}

/** Whether the pass lasted at least ten test lengths, so that one exclusive slot costs at most 10 % more. */
function calibrationIsCheap(results: readonly PairResult[]): boolean {
  const ran = results.filter((result) => result.finishedAt > result.startedAt);
  if (ran.length === 0) return false;
  const lengths = ran.map((result) => result.finishedAt - result.startedAt).sort((one, other) => one - other);
  const span = Math.max(...ran.map((result) => result.finishedAt)) - Math.min(...ran.map((result) => result.startedAt));
  return span >= 10 * lengths[lengths.length >> 1]!;
}

/** Publishes a successful re-test in place of the reading it re-tested, and counts it. */
function applyRetest(out: PairResult[], index: number, retest: PairResult, tolerance: number, summary: InterferenceSummary): void {
  const before = out[index]!;
  if (retest.status !== 'success' || before.status !== 'success') return;
  const firstMbps = before.measurement.bandwidthMbps;
  const confirmed = retest.measurement.bandwidthMbps > firstMbps * (1 + tolerance);
  const referenceMbps = before.interference?.referenceMbps ?? firstMbps;
  // A calibration re-test that found interference makes its reading a suspect after the fact.
  const suspected = before.interference !== undefined || confirmed;
  if (suspected && !before.interference) summary.suspected++;
  const interference = { verdict: 'retested' as const, suspected, firstMbps, referenceMbps, confirmed };
  out[index] = { ...retest, attempts: retest.attempts + before.attempts, interference };
  summary.retested++;
  if (confirmed) summary.confirmed++;
}

function mark(result: PairResult, suspect: Suspect): PairResult {
  return {
    ...result,
    interference: { verdict: 'suspect', suspected: true, firstMbps: suspect.mbps, referenceMbps: suspect.referenceMbps, confirmed: false },
  };
}
