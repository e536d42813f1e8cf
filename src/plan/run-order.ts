import type { Pair, Protocol, Server } from '../model/types.ts';
import { selectBudget } from './budget.ts';
import { orderZoned, planZoned } from './zones.ts';
import { packRounds, packUnits } from './rounds.ts';

// The tests a run makes, in the order it prefers them: least recently measured first (the zoned plan
// with --cross-zone-share), at most --max-pairs of them, packed into rounds that are matchings when a
// deadline bounds the run (plan/rounds.ts). Pure: the run (run/cycle.ts) and --dry-run both call it.

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
    const rounds = orderZoned(planZoned(servers, input.protocols), input.crossZoneShare!, lastTested);
    const chosen = input.maxPairs > 0 ? withinBudget(rounds, input.maxPairs) : rounds;
    return packUnits(chosen, input.rounds, input.exclusive);
  }
  const chosen = selectBudget(planned, input.maxPairs, lastTested);
  return input.mode === 'mesh' ? packRounds(chosen, input.rounds, input.exclusive) : chosen;
}

/** The first `budget` tests of the rounds (the last round taken may be cut). */
function withinBudget(rounds: readonly Pair[][], budget: number): Pair[][] {
  const out: Pair[][] = [];
  let left = budget;
  for (const round of rounds) {
    if (left <= 0) break;
    out.push(round.slice(0, left));
    left -= round.length;
  }
  return out;
}
