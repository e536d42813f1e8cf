import type { Logger } from 'pino';
import type { RunConfig } from '../config/run-config.ts';
import { expectedTestMs } from '../iperf/client-args.ts';
import { cycleSize, withZones, type CycleSize } from '../plan/sizing.ts';
import { zonedCoverage, zonedRoundCounts } from '../plan/zones.ts';
import { zonedPlanApplies } from '../plan/run-order.ts';
import type { Server } from '../model/types.ts';
import { networkOf, networksOf, nodesOf } from '../model/network.ts';

// The cycle this run can do (plan/sizing.ts) for the cluster it found, said once at start: in the
// log, and as metrics with the run's push. A coverage period longer than --max-result-age would let
// results expire before their pair is measured again: warn, naming the values to change.

export function sizeOf(config: RunConfig, nodes: number, pairs: number): CycleSize {
  return cycleSize({
    nodes,
    pairs,
    mode: config.mode,
    exclusive: config.exclusive,
    concurrency: config.concurrency,
    maxPairs: config.maxPairs,
    testMs: expectedTestMs(config.iperf),
    ...(config.deadlineS !== undefined ? { deadlineS: config.deadlineS } : {}),
    ...(config.runIntervalS !== undefined ? { intervalS: config.runIntervalS } : {}),
  });
}

/** With the zoned plan (--cross-zone-share and zones known): its in-zone and cross-zone bounds. */
export function sizeFor(config: RunConfig, servers: readonly Server[], pairs: number): CycleSize {
  // The nodes, not the servers: a node's host- and pod-network servers share its NIC (one test out, one in).
  const nodes = nodesOf(servers).length;
  const size = sizeOf(config, nodes, pairs);
  if (!zonedPlanApplies(config, servers)) return size;
  // Each network has the zoned plan's rounds of its own (plan/zoned-networks.ts), like each protocol.
  const networks = networksOf(servers);
  const firstNetwork = servers.filter((server) => networkOf(server) === networks[0]);
  const counts = zonedRoundCounts(firstNetwork, config.protocols.length * networks.length);
  return withZones(size, nodes, counts.equalZones, (rounds) => zonedCoverage(rounds, counts, config.crossZoneShare!));
}

export function logSize(log: Logger, config: RunConfig, size: CycleSize): void {
  const fields = {
    concurrency: size.concurrency,
    collision_free: size.collisionFree,
    tests_per_run: size.testsPerRun,
    runs_to_cover: size.runsToCover,
    coverage_period_s: size.coveragePeriodS,
  };
  log.info(fields, 'cycle size: every pair is measured within runs_to_cover runs');
  if (size.zoned) logZoned(log, size);
  if (config.runIntervalS === undefined && size.runsToCover > 1) {
    log.info('the coverage period counts runs back to back; give --run-interval (the schedule) for the real period');
  }
  if (size.coveragePeriodS > config.maxResultAgeS) {
    const period = Math.ceil(size.coveragePeriodS);
    const change =
      `raise --max-result-age to at least ${period} (chart: runner.maxResultAgeSeconds), or measure more per run: ` +
      `a longer --deadline, a higher --concurrency (now ${size.concurrency} of ${size.collisionFree}), shorter tests, fewer --protocols`;
    const problem = `coverage period ${period} s is longer than --max-result-age ${config.maxResultAgeS} s`;
    log.warn(
      { ...fields, max_result_age_s: config.maxResultAgeS },
      `${problem}: results expire before their pair is measured again; ${change}`,
    );
  }
}

function logZoned(log: Logger, size: CycleSize): void {
  const zoned = size.zoned!;
  const fields = {
    rounds_per_run: zoned.rounds,
    in_zone_runs: zoned.inZoneRuns,
    cross_zone_runs: zoned.crossZoneRuns,
    in_zone_period_s: zoned.inZonePeriodS,
    cross_zone_period_s: zoned.crossZonePeriodS,
  };
  log.info(fields, 'zoned plan: every in-zone pair is measured within in_zone_runs runs, every cross-zone pair within cross_zone_runs');
  if (!zoned.equalZones) {
    log.warn(fields, 'zones differ in size: their rounds are partial matchings, so the zoned bounds are estimates, not guarantees');
  }
}
