import type { Pair } from '../model/types.ts';

// The zoned plan's rounds (plan/zones.ts), each a matching, packed for a deadline-bound run: each
// round, whole, into the earliest slot where none of its nodes is busy, so that partial rounds (zones
// of different sizes) that share no node run side by side. With the scheduler keeping each sender's
// and each receiver's tests in this order (schedule/receiver-order.ts) the slots run as rounds.

interface Packing {
  rounds: number;
  nodes: number;
  /** [node × rounds + round] → the test sending (receiving) there, or −1. */
  sends: Int32Array;
  receives: Int32Array;
  roundOf: Int32Array;
  ends: (readonly [number, number])[];
}

/**
 * Whole units (the zoned plan's rounds, each a matching) into the earliest packed round where all of a
 * unit's ends are free: partial rounds that share no node run together, and no unit is split, so a
 * round is measured whole or not at all. The k-th unit lands in round k at the latest, so a run that
 * makes R rounds takes at least the first R units. Units that fit in none of the `rounds` follow.
 */
export function packUnits(units: readonly (readonly Pair[])[], rounds: number, exclusive: boolean): Pair[] {
  const flat = units.flat();
  if (!Number.isFinite(rounds) || rounds <= 0 || flat.length === 0) return flat;
  const packing = newPacking(flat, rounds);
  const byRound: Pair[][] = Array.from({ length: rounds }, () => []);
  const rest: Pair[] = [];
  let first = 0;
  for (const unit of units) {
    const tests = unit.map((_, offset) => first + offset);
    first += unit.length;
    const round = firstRoundFor(packing, tests, exclusive);
    if (round < 0) {
      rest.push(...unit);
      continue;
    }
    for (const test of tests) assign(packing, test, round);
    byRound[round]!.push(...unit);
  }
  return [...byRound.flat(), ...rest];
}

function firstRoundFor(packing: Packing, tests: readonly number[], exclusive: boolean): number {
  for (let round = 0; round < packing.rounds; round++) {
    const fits = tests.every((test) => {
      const [sender, receiver] = packing.ends[test]!;
      return free(packing, sender, round, exclusive, 'sends') && free(packing, receiver, round, exclusive, 'receives');
    });
    if (fits) return round;
  }
  return -1;
}

function newPacking(ordered: readonly Pair[], rounds: number): Packing {
  const index = new Map<string, number>();
  const indexOf = (node: string) => {
    let found = index.get(node);
    if (found === undefined) index.set(node, (found = index.size));
    return found;
  };
  const ends = ordered.map((pair) => [indexOf(pair.source.node), indexOf(pair.destination.node)] as const);
  const nodes = index.size;
  return {
    rounds,
    nodes,
    sends: new Int32Array(nodes * rounds).fill(-1),
    receives: new Int32Array(nodes * rounds).fill(-1),
    roundOf: new Int32Array(ordered.length).fill(-1),
    ends,
  };
}

function free(packing: Packing, node: number, round: number, exclusive: boolean, side: 'sends' | 'receives'): boolean {
  const at = node * packing.rounds + round;
  if (exclusive) return packing.sends[at] === -1 && packing.receives[at] === -1;
  return packing[side][at] === -1;
}

function assign(packing: Packing, test: number, round: number): void {
  const [sender, receiver] = packing.ends[test]!;
  packing.sends[sender * packing.rounds + round] = test;
  packing.receives[receiver * packing.rounds + round] = test;
  packing.roundOf[test] = round;
}
