import type { Logger } from 'pino';
import type { Pair, PairResult, Server } from '../model/types.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { Clock } from '../schedule/clock.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import type { Pushgateway } from '../push/pushgateway.ts';
import { planPairs } from '../plan/pairs.ts';
import { runSchedule, type ScheduleEvent } from '../schedule/scheduler.ts';
import { expectedTestMs } from '../iperf/client-args.ts';
import { pairTester } from './test-pair.ts';
import { runRegistry, sourceRegistries } from '../metrics/registries.ts';
import { pushResults } from '../push/push-results.ts';
import { previousKey, readGatewayState, type GatewayState, type PreviousPair } from '../push/previous-results.ts';
import { selectBudget } from '../plan/budget.ts';
import { PushError } from '../errors/push-error.ts';

// One cycle: discover → plan → schedule/execute → parse → metrics → push. Every side effect
// (discovery, the client, the Pushgateway, the clock, logging) is passed in; this file decides only
// the order and what a failure at each edge means for the exit code.

export interface CycleDeps {
  clock: Clock;
  log: Logger;
  discover: () => Promise<Server[]>;
  runner: ClientRunner;
  pushgateway?: Pushgateway;
  /** Aborts running tests (SIGTERM); what completed is still pushed. */
  signal?: AbortSignal;
  onEvent?: (e: ScheduleEvent) => void;
  /** Called once with the planned tests, before the first starts. */
  onPlan?: (pairs: readonly Pair[]) => void;
}

export interface CycleReport {
  servers: Server[];
  pairs: Pair[];
  results: PairResult[];
  startedAt: number;
  endedAt: number;
  /** Tests the plan had before the pair budget cut it down. */
  planned: number;
  /** 0 ok, 1 push failed (discovery failures throw). */
  exitCode: 0 | 1;
  pushed?: { groups: number; deleted: string[]; errors: string[]; carried: number };
}

export function planCycle(config: RunConfig, servers: Server[]): Pair[] {
  return planPairs(servers, { mode: config.mode, sourceNode: config.sourceNode, protocols: config.protocols });
}

export async function runCycle(config: RunConfig, deps: CycleDeps, startedAt = deps.clock.now()): Promise<CycleReport> {
  const { clock, log } = deps;
  const servers = await deps.discover();
  log.info({ servers: servers.length, nodes: servers.map((s) => s.node) }, 'servers discovered');
  if (config.mode === 'star' && !servers.some((s) => s.node === config.sourceNode)) {
    log.warn({ source_node: config.sourceNode }, 'the source node has no server pod; testing from it anyway');
  }
  // What the gateway holds from earlier runs: for the pair budget now, for carrying results over later.
  let state: GatewayState | undefined;
  if (deps.pushgateway) {
    try {
      state = await readGatewayState(deps.pushgateway.samples(), config.job);
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'cannot read earlier results from the Pushgateway; testing anyway');
    }
  }
  const all = planCycle(config, servers);
  const pairs =
    config.maxPairs > 0
      ? selectBudget(all, config.maxPairs, (p) => state?.previous.get(previousKey(p.source.node, p.destination.node, p.protocol))?.timestamp)
      : all;
  log.info({ tests: pairs.length, planned: all.length, concurrency: config.concurrency, exclusive: config.exclusive }, 'cycle planned');
  deps.onPlan?.(pairs);

  const tester = pairTester(deps.runner, config.iperf);
  const results = await runSchedule(
    pairs,
    {
      concurrency: config.concurrency,
      exclusive: config.exclusive,
      ...(config.deadlineS !== undefined ? { deadline: startedAt + config.deadlineS * 1000 } : {}),
      expectedMs: expectedTestMs(config.iperf),
      busyRetries: config.busyRetries,
      backoffMs: (attempt) => Math.min(1000 * 2 ** (attempt - 1), 8000),
    },
    {
      clock,
      runTest: tester,
      onEvent: (e) => {
        if (e.type === 'end' && e.result) logResult(log, e.result);
        deps.onEvent?.(e);
      },
    },
    deps.signal,
  );
  const endedAt = clock.now();
  const report: CycleReport = { servers, pairs, results, startedAt, endedAt, planned: all.length, exitCode: 0 };

  if (deps.pushgateway) {
    const live = new Set(servers.map((s) => s.node));
    if (config.mode === 'star' && config.sourceNode) live.add(config.sourceNode);
    try {
      state ??= await readGatewayState(deps.pushgateway.samples(), config.job);
    } catch (e) {
      // Without them, a PUT would silently drop the results this run did not re-test.
      const message = e instanceof PushError ? e.message : String(e);
      log.error({ err: message }, 'push failed: cannot read the earlier results to keep');
      report.pushed = { groups: 0, deleted: [], errors: [message], carried: 0 };
      report.exitCode = 1;
      return report;
    }
    const { carried, emptied } = carryOver(state.previous, results, live, endedAt / 1000 - config.maxResultAgeS);
    const sources = sourceRegistries(results, carried);
    const run = runRegistry(results, { durationS: (endedAt - startedAt) / 1000, servers: servers.length, endedAt, carried: carried.length });
    const out = await pushResults(deps.pushgateway, config.job, sources, run, live, state.groups, emptied);
    report.pushed = { groups: out.pushed.length, deleted: out.deleted, errors: out.errors.map((e) => e.message), carried: carried.length };
    for (const node of out.deleted) log.info({ source_node: node }, 'deleted the Pushgateway group of a node that is gone');
    for (const e of out.errors) log.error({ err: e.message }, 'push failed');
    if (out.errors.length > 0) report.exitCode = 1;
  }
  return report;
}

/**
 * Which earlier results to write back, and which groups to empty. A group is rewritten when this run
 * has new results for its source or when some of its results expired; a rewritten group keeps the
 * earlier results this run did not re-test, unless they are older than the cut-off or name a node
 * that is gone. A group left with nothing is deleted.
 */
function carryOver(previous: Map<string, PreviousPair>, results: readonly PairResult[], live: ReadonlySet<string>, notBefore: number) {
  const tested = new Set<string>();
  const rewritten = new Set<string>();
  for (const r of results) {
    if (r.status === 'skipped') continue;
    tested.add(previousKey(r.pair.source.node, r.pair.destination.node, r.pair.protocol));
    rewritten.add(r.pair.source.node);
  }
  for (const p of previous.values()) if (p.timestamp < notBefore || !live.has(p.destination)) rewritten.add(p.source);
  const carried = [...previous.entries()]
    .filter(([k, p]) => !tested.has(k) && rewritten.has(p.source) && live.has(p.source) && live.has(p.destination) && p.timestamp >= notBefore)
    .map(([, p]) => p);
  const kept = new Set([...carried.map((p) => p.source), ...results.filter((r) => r.status !== 'skipped').map((r) => r.pair.source.node)]);
  const emptied = [...rewritten].filter((s) => live.has(s) && !kept.has(s));
  return { carried, emptied };
}

function logResult(log: Logger, r: PairResult) {
  const base = {
    source_node: r.pair.source.node,
    destination_node: r.pair.destination.node,
    protocol: r.pair.protocol,
    attempts: r.attempts,
    duration_s: r.finishedAt > 0 ? (r.finishedAt - r.startedAt) / 1000 : 0,
  };
  if (r.status === 'success') {
    const m = r.measurement!;
    log.info(
      {
        ...base,
        bandwidth_mbps: round(m.bandwidthMbps),
        ...(m.jitterMs !== undefined ? { jitter_ms: round(m.jitterMs) } : {}),
        ...(m.lostPackets !== undefined ? { lost_packets: m.lostPackets, packets: m.packets } : {}),
        ...(m.retransmits !== undefined ? { retransmits: m.retransmits } : {}),
      },
      'test succeeded',
    );
  } else if (r.status === 'failure') {
    log.warn({ ...base, reason: r.failure!.kind, error: r.failure!.message }, 'test failed');
  } else {
    log.info({ ...base, skipped: r.skipped }, 'test skipped');
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
