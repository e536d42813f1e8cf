import type { Pair } from '../model/types.ts';

// Packs a run's ordered tests into rounds that are matchings — no node sends two tests or receives two
// in one round (with `exclusive`, no node is in two) — and lays them out round by round. After a run
// cut short mid-round, or one where a hung server held up some senders, the least-recently-measured
// order leaves each sender a different set of pairs; taken as they come, the scheduler's in-order
// senders queue behind one receiver while others sit idle. Packed, every round is again at most one
// test out of and one into each node, so a run makes its ⌊W/D⌋ rounds of tests.
//
// Tests are taken in the given order (oldest first), each into the earliest round where both its ends
// are free; when its sender and its receiver each have a free round but not the same one, the rounds
// of an alternating chain of earlier tests are swapped to free one (König's edge colouring: a
// bipartite graph of senders and receivers with at most R tests per node fits in R rounds). So a test
// fits whenever its sender has sent fewer than R and its receiver received fewer than R tests. Only the
// first `rounds` rounds are packed (what a run can reach); the tests that fit in none follow, in order.

interface Packing {
  rounds: number;
  nodes: number;
  /** [node × rounds + round] → the test sending (receiving) there, or −1. */
  sends: Int32Array;
  receives: Int32Array;
  roundOf: Int32Array;
  ends: (readonly [number, number])[];
}

export function packRounds(ordered: readonly Pair[], rounds: number, exclusive: boolean): Pair[] {
  if (!Number.isFinite(rounds) || rounds <= 0 || ordered.length === 0) return [...ordered];
  const packing = newPacking(ordered, rounds);
  const { ends, nodes } = packing;
  const sent = new Uint32Array(nodes);
  const received = new Uint32Array(nodes);
  for (let test = 0; test < ordered.length; test++) {
    const [sender, receiver] = ends[test]!;
    if (sent[sender]! >= rounds || received[receiver]! >= rounds) continue;
    if (exclusive && sent[sender]! + received[sender]! + sent[receiver]! + received[receiver]! >= rounds) {
      if (!placeFirstFit(packing, test, true)) continue;
    } else if (!placeFirstFit(packing, test, exclusive) && (exclusive || !placeByChain(packing, test))) continue;
    sent[sender]!++;
    received[receiver]!++;
  }
  const byRound: Pair[][] = Array.from({ length: rounds }, () => []);
  const rest: Pair[] = [];
  ordered.forEach((pair, test) => (packing.roundOf[test]! >= 0 ? byRound[packing.roundOf[test]!]!.push(pair) : rest.push(pair)));
  return [...byRound.flat(), ...rest];
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

function unassign(packing: Packing, test: number): void {
  const [sender, receiver] = packing.ends[test]!;
  const round = packing.roundOf[test]!;
  packing.sends[sender * packing.rounds + round] = -1;
  packing.receives[receiver * packing.rounds + round] = -1;
  packing.roundOf[test] = -1;
}

function placeFirstFit(packing: Packing, test: number, exclusive: boolean): boolean {
  const [sender, receiver] = packing.ends[test]!;
  for (let round = 0; round < packing.rounds; round++) {
    if (free(packing, sender, round, exclusive, 'sends') && free(packing, receiver, round, exclusive, 'receives')) {
      assign(packing, test, round);
      return true;
    }
  }
  return false;
}

/**
 * Full duplex: the sender is free in one round, the receiver in another. The chain from the receiver
 * along the two rounds alternately (its sender in the first, that sender's receiver in the second, …)
 * has the two rounds swapped: the receiver is then free in the sender's free round, and every round
 * is still a matching.
 */
function placeByChain(packing: Packing, test: number): boolean {
  const [sender, receiver] = packing.ends[test]!;
  const { rounds } = packing;
  let freeAtSender = -1;
  let freeAtReceiver = -1;
  for (let round = 0; round < rounds && (freeAtSender < 0 || freeAtReceiver < 0); round++) {
    if (freeAtSender < 0 && packing.sends[sender * rounds + round] === -1) freeAtSender = round;
    if (freeAtReceiver < 0 && packing.receives[receiver * rounds + round] === -1) freeAtReceiver = round;
  }
  if (freeAtSender < 0 || freeAtReceiver < 0) return false;
  const chain: number[] = [];
  let atReceiver = receiver;
  for (;;) {
    const first = packing.receives[atReceiver * rounds + freeAtSender]!;
    if (first < 0) break;
    chain.push(first);
    const next = packing.sends[packing.ends[first]![0] * rounds + freeAtReceiver]!;
    if (next < 0) break;
    chain.push(next);
    atReceiver = packing.ends[next]![1];
  }
  const swapped = chain.map((link) => (packing.roundOf[link] === freeAtSender ? freeAtReceiver : freeAtSender));
  for (const link of chain) unassign(packing, link);
  chain.forEach((link, position) => assign(packing, link, swapped[position]!));
  assign(packing, test, freeAtSender);
  return true;
}
