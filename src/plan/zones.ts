import type { Pair, Protocol, Server } from '../model/types.ts';

// The big-cluster plan (--cross-zone-share F, with zones from --node-zones): every pair inside a zone
// first and often, and a rotating sample of the cross-zone pairs with the rest of each run.
//
// The plan is made of rounds, each a matching (one test out of and one into each node at most): in-zone
// round r (1 ≤ r < s) is member j → member j + r inside every zone at once; a cross-zone round pairs
// each zone with another (member j of zone z → member j + t of zone z + d). With zones of equal size s
// there are s − 1 in-zone and N − s cross-zone rounds per protocol, all perfect matchings; with zones of
// different sizes the cross-zone rounds are the global rotation (i → i + r over the servers sorted by
// zone) less its in-zone pairs, N − 1 partial matchings.
//
// A run takes whole rounds, each kind least recently measured first (a round is as old as its oldest
// pair, so a round cut short by a deadline comes first again), alternating in-zone and cross-zone ones
// so that after k rounds ⌊F·k⌋ are cross-zone, until one kind runs out (the other then fills the run).
// In rounds every sender has the same kind of test at the same step, so in-zone and cross-zone tests
// never collide. The coverage this guarantees: zonedCoverage below.

export interface ZonedPlan {
  /** In-zone rounds, each a matching. */
  intra: Pair[][];
  /** Cross-zone rounds, each a matching. */
  cross: Pair[][];
  /** All zones have the same number of servers (the cross-zone rounds are then perfect matchings). */
  equalZones: boolean;
  zones: number;
}

/** Servers grouped by zone; a server without a zone is a zone of its own (its pairs are all cross-zone). */
function zonesOf(servers: readonly Server[]): Server[][] {
  const zones = new Map<string, Server[]>();
  for (const server of servers) {
    const key = server.zone ?? `\u0000${server.node}`;
    let members = zones.get(key);
    if (!members) zones.set(key, (members = []));
    members.push(server);
  }
  return [...zones.values()];
}

export function planZoned(servers: readonly Server[], protocols: readonly Protocol[]): ZonedPlan {
  const groups = zonesOf(servers);
  const largest = Math.max(0, ...groups.map((members) => members.length));
  const equalZones = groups.every((members) => members.length === largest);
  const intra: Pair[][] = [];
  const cross: Pair[][] = [];
  for (const protocol of protocols) {
    for (let round = 1; round < largest; round++) {
      const pairs: Pair[] = [];
      for (const members of groups) {
        if (round >= members.length) continue;
        members.forEach((source, member) => pairs.push({ source, destination: members[(member + round) % members.length]!, protocol }));
      }
      intra.push(pairs);
    }
    cross.push(...(equalZones ? crossRounds(groups, protocol) : rotationCrossRounds(groups, protocol)));
  }
  return { intra, cross, equalZones, zones: groups.length };
}

/** Zones of equal size: round (d, t) is member j of zone z → member j + t of zone z + d, a perfect matching. */
function crossRounds(groups: readonly Server[][], protocol: Protocol): Pair[][] {
  const rounds: Pair[][] = [];
  const size = groups[0]?.length ?? 0;
  for (let offset = 1; offset < groups.length; offset++) {
    for (let step = 0; step < size; step++) {
      const pairs: Pair[] = [];
      groups.forEach((members, zone) => {
        const peers = groups[(zone + offset) % groups.length]!;
        members.forEach((source, member) => pairs.push({ source, destination: peers[(member + step) % size]!, protocol }));
      });
      rounds.push(pairs);
    }
  }
  return rounds;
}

/** Zones of different sizes: the global rotation over the servers in zone order, its cross-zone pairs. */
function rotationCrossRounds(groups: readonly Server[][], protocol: Protocol): Pair[][] {
  const all = groups.flatMap((members, zone) => members.map((server) => ({ server, zone })));
  const rounds: Pair[][] = [];
  for (let round = 1; round < all.length; round++) {
    const pairs: Pair[] = [];
    all.forEach(({ server, zone }, index) => {
      const peer = all[(index + round) % all.length]!;
      if (peer.zone !== zone) pairs.push({ source: server, destination: peer.server, protocol });
    });
    if (pairs.length > 0) rounds.push(pairs);
  }
  return rounds;
}

/** The plan's round counts (planZoned's lengths) without building its pairs: for sizing a big cluster. */
export function zonedRoundCounts(servers: readonly Server[], protocols: number): { intra: number; cross: number; equalZones: boolean } {
  const groups = zonesOf(servers);
  const largest = Math.max(0, ...groups.map((members) => members.length));
  const equalZones = groups.every((members) => members.length === largest);
  const cross = groups.length < 2 ? 0 : equalZones ? servers.length - largest : servers.length - 1;
  return { intra: protocols * Math.max(0, largest - 1), cross: protocols * cross, equalZones };
}

/** Whether slot k (0-based) of a run is a cross-zone round: after k + 1 rounds, ⌊share·(k + 1)⌋ are. */
function crossSlot(share: number, slot: number): boolean {
  // A small epsilon: 0.1 · 10 must count as 1.
  return Math.floor(share * (slot + 1) + 1e-9) > Math.floor(share * slot + 1e-9);
}

/** The run's rounds in order: each kind least recently measured first, in the ratio (1 − share) : share. */
export function orderZoned(plan: ZonedPlan, share: number, lastTested: (pair: Pair) => number | undefined): Pair[][] {
  const age = (round: readonly Pair[]) => Math.min(...round.map((pair) => lastTested(pair) ?? -Infinity));
  const byAge = (rounds: readonly Pair[][]) =>
    rounds
      .map((round, position) => ({ round, position, age: age(round) }))
      .sort((left, right) => left.age - right.age || left.position - right.position)
      .map(({ round }) => round);
  const intra = byAge(plan.intra);
  const cross = byAge(plan.cross);
  const ordered: Pair[][] = [];
  let inZone = 0;
  let crossZone = 0;
  for (let slot = 0; inZone < intra.length || crossZone < cross.length; slot++) {
    const takeCross = crossZone < cross.length && (inZone >= intra.length || crossSlot(share, slot));
    ordered.push(takeCross ? cross[crossZone++]! : intra[inZone++]!);
  }
  return ordered;
}

export interface ZonedCoverage {
  /** In-zone and cross-zone rounds a run takes. */
  inZonePerRun: number;
  crossZonePerRun: number;
  /** Runs within which every in-zone pair, and every cross-zone pair, is measured (Infinity: never). */
  inZoneRuns: number;
  crossZoneRuns: number;
}

/**
 * What the zoned plan guarantees when a run makes `rounds` whole rounds (⌊W/D⌋ at full parallelism, or
 * fewer under --max-pairs): the run takes its rounds as orderZoned lays them out, each kind in
 * least-recently-measured rotation, so every in-zone round is taken within ⌈in-zone rounds ÷ in-zone
 * rounds per run⌉ runs, and likewise for the cross-zone ones.
 */
export function zonedCoverage(rounds: number, plan: { intra: number; cross: number }, share: number): ZonedCoverage {
  let inZonePerRun = 0;
  let crossZonePerRun = 0;
  const slots = Math.min(rounds, plan.intra + plan.cross);
  for (let slot = 0; slot < slots; slot++) {
    const takeCross = crossZonePerRun < plan.cross && (inZonePerRun >= plan.intra || crossSlot(share, slot));
    if (takeCross) crossZonePerRun++;
    else inZonePerRun++;
  }
  const runs = (total: number, perRun: number) => (total === 0 ? 0 : perRun > 0 ? Math.ceil(total / perRun) : Infinity);
  return { inZonePerRun, crossZonePerRun, inZoneRuns: runs(plan.intra, inZonePerRun), crossZoneRuns: runs(plan.cross, crossZonePerRun) };
}
