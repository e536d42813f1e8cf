import type { Pair, Protocol, Server } from '../model/types.ts';
import { orderByStaleness } from './staleness.ts';

// The big-cluster plan (--cross-zone-share F, with zones from --node-zones): every pair inside a zone
// first and often, and a rotating sample of the cross-zone pairs with the rest of each run.
//
// Each sender's tests alternate in-zone and cross-zone ones in the ratio (1 − F) : F, each kind least
// recently measured first, until one kind runs out (then the other fills the run). In-zone pairs come
// in rotation rounds inside each zone (member j → j + r), so every round is a perfect matching in
// every zone at once, and cross-zone pairs come in rounds that pair each zone with another (member j of
// zone z → member j + t of zone z + d), matchings too when the zones are of equal size. With R rounds per run
// (⌊W/D⌋) a node of a zone of s nodes measures ⌊R(1 − F)⌋ of its s − 1 in-zone peers per run, so every
// in-zone pair is measured within ⌈(s − 1)/⌊R(1 − F)⌋⌉ runs, and the cross-zone pairs rotate through
// the rest: every one within ⌈(N − s)/(R − min(s − 1, ⌊R(1 − F)⌋))⌉ runs (plan/sizing.ts: zoneCoverage).

export interface ZonedPlan {
  intra: Pair[];
  cross: Pair[];
}

/** Servers sorted by node; a server without a zone is a zone of its own (its pairs are all cross-zone). */
export function planZoned(servers: readonly Server[], protocols: readonly Protocol[]): ZonedPlan {
  const zones = new Map<string, Server[]>();
  for (const server of servers) {
    const key = server.zone ?? `\u0000${server.node}`;
    let members = zones.get(key);
    if (!members) zones.set(key, (members = []));
    members.push(server);
  }
  const intra: Pair[] = [];
  const cross: Pair[] = [];
  const largest = Math.max(0, ...[...zones.values()].map((members) => members.length));
  for (const protocol of protocols) {
    for (let round = 1; round < largest; round++) {
      for (const members of zones.values()) {
        if (round >= members.length) continue;
        members.forEach((source, member) => intra.push({ source, destination: members[(member + round) % members.length]!, protocol }));
      }
    }
    // Cross-zone rounds (zone offset d, step t): member j of zone z → member j + t of zone z + d, a
    // perfect matching when the zones are of equal size.
    const groups = [...zones.values()];
    for (let offset = 1; offset < groups.length; offset++) {
      for (let step = 0; step < largest; step++) {
        groups.forEach((members, zone) => {
          const peers = groups[(zone + offset) % groups.length]!;
          if (step >= peers.length) return;
          members.forEach((source, member) => cross.push({ source, destination: peers[(member + step) % peers.length]!, protocol }));
        });
      }
    }
  }
  return { intra, cross };
}

/** The run's order: per sender, in-zone and cross-zone tests in the ratio (1 − share) : share. */
export function orderZoned(plan: ZonedPlan, share: number, lastTested: (pair: Pair) => number | undefined): Pair[] {
  const bySender = new Map<string, { intra: Pair[]; cross: Pair[] }>();
  const of = (pair: Pair) => {
    let lists = bySender.get(pair.source.node);
    if (!lists) bySender.set(pair.source.node, (lists = { intra: [], cross: [] }));
    return lists;
  };
  for (const pair of orderByStaleness(plan.intra, lastTested)) of(pair).intra.push(pair);
  for (const pair of orderByStaleness(plan.cross, lastTested)) of(pair).cross.push(pair);
  const queues = [...bySender.values()].map(({ intra, cross }) => interleave(intra, cross, share));
  // Laid out round by round (each sender's k-th test, then the (k+1)-th), as the rotation plan is.
  const ordered: Pair[] = [];
  const longest = Math.max(0, ...queues.map((queue) => queue.length));
  for (let step = 0; step < longest; step++) for (const queue of queues) if (step < queue.length) ordered.push(queue[step]!);
  return ordered;
}

function interleave(intra: readonly Pair[], cross: readonly Pair[], share: number): Pair[] {
  const out: Pair[] = [];
  let inZone = 0;
  let crossZone = 0;
  while (inZone < intra.length || crossZone < cross.length) {
    // A cross-zone test whenever taking it keeps the cross-zone share at or below `share`.
    const takeCross = crossZone < cross.length && (inZone >= intra.length || crossZone + 1 <= share * (out.length + 1));
    out.push(takeCross ? cross[crossZone++]! : intra[inZone++]!);
  }
  return out;
}
