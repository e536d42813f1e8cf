import type { Pair, Protocol, Server } from '../model/types.ts';
import { orderByStaleness } from './staleness.ts';
import { orderZoned, planZoned } from './zones.ts';
import { packRounds, packUnits } from './rounds.ts';

// The tests a run may make, in the order it prefers them: least recently measured first (the zoned
// plan's rounds with --cross-zone-share), packed into rounds that are matchings when a deadline bounds
// the run (plan/rounds.ts). With --max-pairs B the first B are packed and the rest follow in order: the
// scheduler tries the first B and takes the next in order for each one skipped as judged down
// (schedule/scheduler.ts: budget). Pure: the run (run/cycle.ts) and --dry-run both call it.

export interface RunOrderInput {
  mode: 'mesh' | 'star';
  protocols: readonly Protocol[];
  exclusive: boolean;
  /** --cross-zone-share: the zoned plan when some servers have zones (mesh only). */
  crossZoneShare?: number | undefined;
  /** --max-pairs (0: none). */
  maxPairs: number;
  /** Rounds a run fits (⌊W/D⌋, plan/sizing.ts); Infinity without a deadline (no packing needed). */
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
    return packUnits(orderZoned(planZoned(servers, input.protocols), input.crossZoneShare!, lastTested), input.rounds, input.exclusive);
  }
  const ordered = orderByStaleness(planned, lastTested);
  if (input.mode !== 'mesh') return ordered;
  if (input.maxPairs <= 0 || input.maxPairs >= ordered.length) return packRounds(ordered, input.rounds, input.exclusive);
  return [...packRounds(ordered.slice(0, input.maxPairs), input.rounds, input.exclusive), ...ordered.slice(input.maxPairs)];
}
