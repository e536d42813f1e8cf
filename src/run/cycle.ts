import type { Logger } from 'pino';
import type { Pair, PairResult, Server } from '../model/types.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { Clock } from '../schedule/clock.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import type { Pushgateway } from '../push/pushgateway.ts';
import { planPairs } from '../plan/pairs.ts';
import { selectBudget } from '../plan/budget.ts';
import { runSchedule, type ScheduleEvent } from '../schedule/scheduler.ts';
import { failurePolicy } from '../failure/policy.ts';
import { expectedTestMs } from '../iperf/client-args.ts';
import { pairTester } from './test-pair.ts';
import { retestSuspects, type InterferenceSummary } from './retest.ts';
import { runRegistry, sourceRegistries } from '../metrics/registries.ts';
import { pushResults } from '../push/push-results.ts';
import { carryOver } from '../push/carry-over.ts';
import { previousKey, readGatewayState, type GatewayState } from '../push/previous-results.ts';
import { logResult } from '../output/result-log.ts';
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
  onEvent?: (error: ScheduleEvent) => void;
  /** Called once with the planned tests, before the first starts. */
  onPlan?: (pairs: readonly Pair[]) => void;
}

export interface PushSummary {
  groups: number;
  deleted: string[];
  errors: string[];
  carried: number;
}

export interface CycleReport {
  servers: Server[];
  pairs: Pair[];
  results: PairResult[];
  startedAt: number;
  endedAt: number;
  /** Tests the plan had before the pair budget cut it down. */
  planned: number;
  /** What the interference check found and did (absent with --interference off). */
  interference?: InterferenceSummary;
  /** 0 ok, 1 push failed (discovery failures throw). */
  exitCode: 0 | 1;
  pushed?: PushSummary;
}

export function planCycle(config: RunConfig, servers: Server[]): Pair[] {
  return planPairs(servers, { mode: config.mode, sourceNode: config.sourceNode, protocols: config.protocols });
}

/** `startedAt`: unix ms when the run started (the deadline counts from it). */
export async function runCycle(config: RunConfig, deps: CycleDeps, startedAt: number): Promise<CycleReport> {
  const servers = await discover(config, deps);
  // What the gateway holds from earlier runs: for the pair budget now, for carrying results over later.
  const earlier = deps.pushgateway && (await readEarlierResults(deps.pushgateway, config.job, deps.log));
  const planned = planCycle(config, servers);
  const pairs = withinBudget(config, planned, earlier);
  deps.log.info(
    { tests: pairs.length, planned: planned.length, concurrency: config.concurrency, exclusive: config.exclusive },
    'cycle planned',
  );
  deps.onPlan?.(pairs);
  const measured = await testPairs(config, deps, pairs, startedAt);
  const { results, interference } = await checkInterference(config, deps, measured, startedAt);
  const report: CycleReport = { servers, pairs, results, startedAt, endedAt: deps.clock.now(), planned: planned.length, exitCode: 0 };
  if (interference) report.interference = interference;
  if (deps.pushgateway) await publish(config, deps.pushgateway, deps.log, report, earlier);
  return report;
}

async function discover(config: RunConfig, { discover, log }: CycleDeps): Promise<Server[]> {
  const servers = await discover();
  log.info({ servers: servers.length, nodes: servers.map((server) => server.node) }, 'servers discovered');
  if (config.mode === 'star' && !servers.some((server) => server.node === config.sourceNode)) {
    log.warn({ source_node: config.sourceNode }, 'the source node has no server pod; testing from it anyway');
  }
  return servers;
}

async function readEarlierResults(gateway: Pushgateway, job: string, log: Logger): Promise<GatewayState | undefined> {
  try {
    return await readGatewayState(gateway.samples(), job);
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'cannot read earlier results from the Pushgateway; testing anyway');
    return undefined;
  }
}

function withinBudget(config: RunConfig, planned: Pair[], earlier: GatewayState | undefined): Pair[] {
  if (config.maxPairs <= 0) return planned;
  const lastTested = (pair: Pair) => earlier?.previous.get(previousKey(pair.source.node, pair.destination.node, pair.protocol))?.timestamp;
  return selectBudget(planned, config.maxPairs, lastTested);
}

function scheduleOptions(config: RunConfig, startedAt: number) {
  return {
    concurrency: config.concurrency,
    exclusive: config.exclusive,
    ...(config.deadlineS !== undefined ? { deadline: startedAt + config.deadlineS * 1000 } : {}),
    expectedMs: expectedTestMs(config.iperf),
    policy: failurePolicy({ retries: config.busyRetries }),
  };
}

function eventHandler(deps: CycleDeps) {
  return (event: ScheduleEvent) => {
    if (event.type === 'end' && event.result) logResult(deps.log, event.result);
    deps.onEvent?.(event);
  };
}

function testPairs(config: RunConfig, deps: CycleDeps, pairs: Pair[], startedAt: number): Promise<PairResult[]> {
  const options = scheduleOptions(config, startedAt);
  const runTest = pairTester(deps.runner, config.iperf);
  return runSchedule(pairs, options, { clock: deps.clock, runTest, onEvent: eventHandler(deps) }, deps.signal);
}

/** Finds readings corrupted by full-duplex traffic and re-tests them alone (--interference). */
async function checkInterference(
  config: RunConfig,
  deps: CycleDeps,
  results: PairResult[],
  startedAt: number,
): Promise<{ results: PairResult[]; interference?: InterferenceSummary }> {
  if (config.interference === 'off') return { results };
  const maxRetests = config.interference === 'mark' ? 0 : config.maxRetests || Math.ceil(results.length / 2);
  const options = { maxRetests, tolerance: config.interferenceTolerance, schedule: scheduleOptions(config, startedAt) };
  const runTest = pairTester(deps.runner, config.iperf);
  const retestLog = deps.log.child({ retest: true });
  const onEvent = (event: ScheduleEvent) => {
    if (event.type === 'end' && event.result) logResult(retestLog, event.result);
  };
  const { results: checked, summary } = await retestSuspects(
    results,
    options,
    { clock: deps.clock, log: deps.log, runTest, onEvent },
    deps.signal,
  );
  return { results: checked, interference: summary };
}

/** Pushes the report's results (and the earlier ones to keep); sets `pushed` and, on errors, the exit code. */
async function publish(config: RunConfig, gateway: Pushgateway, log: Logger, report: CycleReport, earlier?: GatewayState): Promise<void> {
  const { servers, results, startedAt, endedAt } = report;
  const live = new Set(servers.map((server) => server.node));
  if (config.mode === 'star' && config.sourceNode) live.add(config.sourceNode);
  let state: GatewayState;
  try {
    state = earlier ?? (await readGatewayState(gateway.samples(), config.job));
  } catch (error) {
    // Without them, a PUT would silently drop the results this run did not re-test.
    const message = error instanceof PushError ? error.message : String(error);
    log.error({ err: message }, 'push failed: cannot read the earlier results to keep');
    report.pushed = { groups: 0, deleted: [], errors: [message], carried: 0 };
    report.exitCode = 1;
    return;
  }
  const { carried, emptied } = carryOver(state.previous, results, live, endedAt / 1000 - config.maxResultAgeS);
  const sources = sourceRegistries(results, carried);
  const run = runRegistry(results, { durationS: (endedAt - startedAt) / 1000, servers: servers.length, endedAt, carried: carried.length });
  const out = await pushResults(gateway, { job: config.job, sources, run, liveNodes: live, existing: state.groups, emptied });
  report.pushed = {
    groups: out.pushed.length,
    deleted: out.deleted,
    errors: out.errors.map((error) => error.message),
    carried: carried.length,
  };
  for (const node of out.deleted) log.info({ source_node: node }, 'deleted the Pushgateway group of a node that is gone');
  for (const error of out.errors) log.error({ err: error.message }, 'push failed');
  if (out.errors.length > 0) report.exitCode = 1;
}
