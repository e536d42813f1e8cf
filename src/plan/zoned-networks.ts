import type { Protocol, Server } from '../model/types.ts';
import { networkOf, networksOf } from '../model/network.ts';
import { planZoned, type ZonedPlan } from './zones.ts';

// The zoned plan (zones.ts) of each network, side by side: a zone holds a node's host- and pod-network
// servers alike, so planning all servers at once would pair the two networks; pairs stay within one.

export function planZonedByNetwork(servers: readonly Server[], protocols: readonly Protocol[]): ZonedPlan {
  const plans = networksOf(servers).map((network) =>
    planZoned(
      servers.filter((server) => networkOf(server) === network),
      protocols,
    ),
  );
  // Each network's rounds are matchings of its own servers; a host and a pod round share the nodes, so
  // they run one after the other like two protocols' rounds.
  return {
    intra: plans.flatMap((plan) => plan.intra),
    cross: plans.flatMap((plan) => plan.cross),
    equalZones: plans.every((plan) => plan.equalZones),
    zones: Math.max(0, ...plans.map((plan) => plan.zones)),
  };
}
