import type { Pair, Protocol, Server } from '../model/types.ts';
import { orderByStaleness } from './staleness.ts';
import { orderZoned } from './zones.ts';
import { planZonedByNetwork } from './zoned-networks.ts';
import { packUnits } from './rounds.ts';

// The tests a run may make, in the order it prefers them: least recently measured first, or the zoned
// plan's rounds with --cross-zone-share (packed side by side when a deadline bounds the run,
// plan/rounds.ts). With --max-pairs B the scheduler tries the first B and takes the next in order for
// each one skipped as judged down (schedule/scheduler.ts: budget). Pure: the run (run/cycle.ts) and
// --dry-run both call it.

export interface RunOrderInput {
  mode: 'mesh' | 'star';
  protocols: readonly Protocol[];
  exclusive: boolean;
  /** --cross-zone-share: the zoned plan when some servers have zones (mesh only). */
  crossZoneShare?: number | undefined;
  /** --max-pairs (0: none). */
  maxPairs: number;
  /** Rounds a run fits (⌊W/D⌋ at full parallelism, plan/sizing.ts); Infinity: no packing. */
  rounds: number;
}

/** Whether the run uses the zoned plan. */
export function zonedPlanApplies(input: Pick<RunOrderInput, 'mode' | 'crossZoneShare'>, servers: readonly Server[]): boolean {
  return input.crossZoneShare !== undefined && input.mode === 'mesh' && servers.some((server) => server.zone !== undefined);
}

/** `planned`: the plain plan (plan/pairs.ts); `lastTested(pair)`: unix seconds of its last result or judgement. */
export function runOrder(
  input: RunOrderInput,
  servers: readonly Server[],
  planned: readonly Pair[],
  lastTested: (pair: Pair) => number | undefined,
): Pair[] {
  if (zonedPlanApplies(input, servers)) {
    return packUnits(
      orderZoned(planZonedByNetwork(servers, input.protocols), input.crossZoneShare!, lastTested),
      input.rounds,
      input.exclusive,
    );
  }
  return orderByStaleness(planned, lastTested);
}
