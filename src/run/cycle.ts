import type { Logger } from 'pino';
import type { Pair, PairResult, Server } from '../model/types.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { Clock } from '../schedule/clock.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import type { Pushgateway } from '../push/pushgateway.ts';
import { planPairs } from '../plan/pairs.ts';
import { runOrder } from '../plan/run-order.ts';
import { networksOf, nodesOf } from '../model/network.ts';
import { runSchedule, type ScheduleEvent } from '../schedule/scheduler.ts';
import { failurePolicy } from '../failure/policy.ts';
import { expectedTestMs } from '../iperf/client-args.ts';
import { pairTester } from './test-pair.ts';
import { retestSuspects, type InterferenceSummary } from './retest.ts';
import { runRegistry, sourceRegistries } from '../metrics/registries.ts';
import { pushResults } from '../push/push-results.ts';
import { carryOver } from '../push/carry-over.ts';
import { retention } from '../push/retention.ts';
import { pairKey, readGatewayState, type GatewayState, type PreviousPair } from '../push/previous-results.ts';
import { logResult } from '../output/result-log.ts';
import { PushError } from '../errors/push-error.ts';
import { StepTimeout, within } from './bounded.ts';
import { logSize, sizeFor } from './cycle-size.ts';
import { coverageOf } from '../metrics/coverage.ts';
import { nodeAggregates } from '../metrics/node-aggregates.ts';
import { resultSamples, skipSamples, type RemoteSample } from '../push/remote-write.ts';
import { readQueryState } from '../push/query-state.ts';
import type { PromQuery } from '../push/prometheus-query.ts';
import type { Registry } from 'prom-client';
import type { CycleSize } from '../plan/sizing.ts';

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
  /** Sends samples to a remote-write receiver (--remote-write); throws a PushError. */
  writeSamples?: (samples: RemoteSample[]) => Promise<void>;
  /** PromQL against what the receiver holds (--state-url): the state of --pair-series remote-write. */
  stateQuery?: PromQuery;
  /** Called once with the planned tests, before the first starts. */
  onPlan?: (pairs: readonly Pair[]) => void;
  /**
   * The names of the cluster's Node objects, when nodes may be read: a node without one is gone at
   * once; without this input a node not discovered keeps its results until --max-result-age.
   */
  nodeObjects?: () => Promise<ReadonlySet<string> | undefined>;
  /** Unix ms the --deadline counts from (this pod's start); default: the cycle's start. */
  deadlineFrom?: number;
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
  /** The cluster's Node objects, when known (see CycleDeps.nodeObjects). */
  nodeObjects?: ReadonlySet<string> | undefined;
  /** What this run can do for this cluster, and how long full coverage takes. */
  size: CycleSize;
  /** What the interference check found and did (absent with --interference off). */
  interference?: InterferenceSummary;
  /** 0 ok, 1 push failed (discovery failures throw). */
  exitCode: 0 | 1;
  pushed?: PushSummary;
}

export function planCycle(config: RunConfig, servers: Server[]): Pair[] {
  return planPairs(servers, { mode: config.mode, sourceNode: config.sourceNode, protocols: config.protocols });
}

export interface RunPlan {
  /** Every test of the plan (all pairs, all protocols). */
  planned: Pair[];
  /** The tests this run may make, in order: least recently measured first, in rounds (see budgeted). */
  pairs: Pair[];
  size: CycleSize;
  /** What the Pushgateway held from earlier runs (undefined: no gateway, or it could not be read). */
  earlier: GatewayState | undefined;
}

/** What a run will test, in order: the run itself and --dry-run. Reads the gateway, writes nothing. */
export async function planRun(
  config: RunConfig,
  deps: Pick<CycleDeps, 'clock' | 'log' | 'pushgateway' | 'stateQuery'>,
  servers: Server[],
): Promise<RunPlan> {
  const planned = planCycle(config, servers);
  const size = sizeFor(config, servers, planned.length);
  // What earlier runs left: for the order now, for carrying results over later.
  const earlier = await readEarlier(config, deps, planned, size);
  return { planned, pairs: orderForRun(config, servers, planned, earlier, size), size, earlier };
}

/** The tests a run tries first: all of them, or the first --max-pairs (each skipped as judged down is replaced). */
export function budgeted(config: Pick<RunConfig, 'maxPairs'>, pairs: Pair[]): Pair[] {
  return config.maxPairs > 0 ? pairs.slice(0, config.maxPairs) : pairs;
}

/** `startedAt`: unix ms when the run started (the deadline counts from it). */
export async function runCycle(config: RunConfig, deps: CycleDeps, startedAt: number): Promise<CycleReport> {
  const servers = await discover(config, deps);
  const { planned, pairs, size, earlier } = await planRun(config, deps, servers);
  const tests = budgeted(config, pairs);
  deps.log.info(
    { tests: tests.length, planned: planned.length, concurrency: size.concurrency, exclusive: config.exclusive },
    'cycle planned',
  );
  logSize(deps.log, config, size);
  deps.onPlan?.(tests);
  const measured = await testPairs(config, deps, pairs, startedAt, size.concurrency);
  const { results, interference } = await checkInterference(config, deps, measured, startedAt, size.concurrency);
  const endedAt = deps.clock.now();
  const taken = measured.map((result) => result.pair);
  const report: CycleReport = { servers, pairs: taken, results, startedAt, endedAt, planned: planned.length, size, exitCode: 0 };
  if (interference) report.interference = interference;
  if (deps.nodeObjects) report.nodeObjects = await deps.nodeObjects();
  if (deps.pushgateway) await publishWithin(config, deps, deps.pushgateway, report, planned, earlier);
  if (deps.writeSamples) await writeRemote(config, deps.writeSamples, deps.log, report);
  return report;
}

async function discover(config: RunConfig, { discover, log }: CycleDeps): Promise<Server[]> {
  const servers = await discover();
  const nodes = nodesOf(servers);
  log.info({ servers: servers.length, nodes, networks: networksOf(servers) }, 'servers discovered');
  if (config.mode === 'star' && !servers.some((server) => server.node === config.sourceNode)) {
    log.warn({ source_node: config.sourceNode }, 'the source node has no server pod; testing from it anyway');
  }
  return servers;
}

async function readEarlierResults(
  gateway: Pushgateway,
  config: RunConfig,
  { clock, log }: Pick<CycleDeps, 'clock' | 'log'>,
): Promise<GatewayState | undefined> {
  try {
    const deadlineMs = config.push?.deadlineMs ?? Infinity;
    return await within(clock, deadlineMs, 'reading the earlier results', readGatewayState(gateway.samples(), config.job));
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'cannot read earlier results from the Pushgateway; testing anyway');
    return undefined;
  }
}

/**
 * The Pushgateway's groups (and, unless --pair-series remote-write, its pair series); with --pair-series
 * remote-write the pairs' state comes from the receiver (push/query-state.ts), over a window of twice the
 * coverage period at least, so that a pair measured a full rotation ago is not taken for never measured.
 */
async function readEarlier(
  config: RunConfig,
  deps: Pick<CycleDeps, 'clock' | 'log' | 'pushgateway' | 'stateQuery'>,
  planned: readonly Pair[],
  size: CycleSize,
) {
  const gateway = deps.pushgateway && (await readEarlierResults(deps.pushgateway, config, deps));
  if (config.pairSeries !== 'remote-write' || !deps.stateQuery) return gateway;
  const sources = [...new Set(planned.map((pair) => pair.source.node))].sort();
  const windowS = Math.max(config.maxResultAgeS, 2 * size.coveragePeriodS);
  const options = { job: config.job, sources, windowS, valuesWindowS: config.maxResultAgeS };
  // Bounded by half the run's --deadline (2 min without one), never less than --push-deadline: a big mesh
  // takes tens of seconds to read (README, Metrics volume), and a hung query API no longer than that.
  const boundMs = Math.max(config.push?.deadlineMs ?? 20_000, config.deadlineS !== undefined ? config.deadlineS * 500 : 120_000);
  const startedAt = deps.clock.now();
  try {
    const state = await within(deps.clock, boundMs, 'reading the pair state', readQueryState(deps.stateQuery, options));
    const seconds = (deps.clock.now() - startedAt) / 1000;
    deps.log.info({ pairs: state.previous.size, judged_down: state.judgedDown.size, seconds }, 'pair state read from --state-url');
    return { groups: gateway?.groups ?? [], ...state };
  } catch (error) {
    deps.log.warn({ err: (error as Error).message }, 'cannot read the pair state from --state-url; testing in plan order');
    return { groups: gateway?.groups ?? [], previous: new Map(), judgedDown: new Map() };
  }
}

/**
 * The run's tests (plan/run-order.ts): least recently measured first (the zoned plan's rounds with
 * --cross-zone-share); the scheduler takes the first --max-pairs. A pair skipped last run because an
 * end was judged down counts as judged then (it has no result of its own).
 */
export function orderForRun(
  config: RunConfig,
  servers: readonly Server[],
  planned: Pair[],
  earlier: GatewayState | undefined,
  size: CycleSize,
): Pair[] {
  const lastTested = (pair: Pair) => {
    const key = pairKey(pair);
    const tested = earlier?.previous.get(key)?.timestamp;
    const judged = earlier?.judgedDown.get(key);
    return tested === undefined ? judged : judged === undefined ? tested : Math.max(tested, judged);
  };
  // Rounds of N tests are what a run makes only at full collision-free parallelism; below it the
  // scheduler runs the tests in order, a few at a time, and the staleness order alone is kept.
  const input = { ...config, rounds: size.concurrency >= size.collisionFree ? size.rounds : Infinity };
  return runOrder(input, servers, planned, lastTested);
}

/** The scheduler's options for this run: the deadline counts from the pod's start when it is known. */
function scheduleOptions(config: RunConfig, deps: CycleDeps, startedAt: number, concurrency: number) {
  return {
    concurrency,
    exclusive: config.exclusive,
    ...(config.deadlineS !== undefined ? { deadline: (deps.deadlineFrom ?? startedAt) + config.deadlineS * 1000 } : {}),
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

function testPairs(config: RunConfig, deps: CycleDeps, pairs: Pair[], startedAt: number, concurrency: number): Promise<PairResult[]> {
  // --max-pairs: the scheduler tries the first B and, for each skipped as judged down, the next in order.
  const options = { ...scheduleOptions(config, deps, startedAt, concurrency), ...(config.maxPairs > 0 ? { budget: config.maxPairs } : {}) };
  const runTest = pairTester(deps.runner, config.iperf);
  return runSchedule(pairs, options, { clock: deps.clock, runTest, onEvent: eventHandler(deps) }, deps.signal);
}

/** Finds readings corrupted by full-duplex traffic and re-tests them alone (--interference). */
async function checkInterference(
  config: RunConfig,
  deps: CycleDeps,
  results: PairResult[],
  startedAt: number,
  concurrency: number,
): Promise<{ results: PairResult[]; interference?: InterferenceSummary }> {
  if (config.interference === 'off') return { results };
  const maxRetests = config.interference === 'mark' ? 0 : config.maxRetests || Math.ceil(results.length / 2);
  const options = { maxRetests, tolerance: config.interferenceTolerance, schedule: scheduleOptions(config, deps, startedAt, concurrency) };
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

/** The push, bounded as a whole by --push-deadline: a hung gateway never holds the run past it. */
async function publishWithin(
  config: RunConfig,
  deps: CycleDeps,
  gateway: Pushgateway,
  report: CycleReport,
  planned: readonly Pair[],
  earlier?: GatewayState,
) {
  const deadlineMs = config.push?.deadlineMs ?? Infinity;
  try {
    await within(deps.clock, deadlineMs, 'the push', publish(config, gateway, deps.log, report, planned, earlier));
  } catch (error) {
    if (!(error instanceof StepTimeout)) throw error;
    const message = `${error.message} (--push-deadline): the groups not yet written keep their earlier results`;
    deps.log.error({ err: message }, 'push failed');
    report.pushed = { groups: report.pushed?.groups ?? 0, deleted: [], errors: [message], carried: 0 };
    report.exitCode = 1;
  }
}

/** Sends this run's results to the remote-write receiver; a failure is logged and sets exit code 1. */
async function writeRemote(
  config: RunConfig,
  write: (samples: RemoteSample[]) => Promise<void>,
  log: Logger,
  report: CycleReport,
): Promise<void> {
  const samples = resultSamples(report.results, config.job, zonesOf(report.servers));
  if (config.pairSeries === 'remote-write') samples.push(...skipSamples(report.results, config.job, report.endedAt));
  try {
    await write(samples);
    log.info({ samples: samples.length }, 'results sent by remote write');
  } catch (error) {
    log.error({ err: (error as Error).message }, 'remote write failed');
    report.exitCode = 1;
  }
}

/** Pushes the report's results (and the earlier ones to keep); sets `pushed` and, on errors, the exit code. */
async function publish(
  config: RunConfig,
  gateway: Pushgateway,
  log: Logger,
  report: CycleReport,
  planned: readonly Pair[],
  earlier?: GatewayState,
): Promise<void> {
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
  const notBeforeS = endedAt / 1000 - config.maxResultAgeS;
  const kept = retention({ discovered: live, nodeObjects: report.nodeObjects, previous: state.previous, notBefore: notBeforeS });
  // --pair-series remote-write: no source group at all (the ones an earlier mode left are deleted).
  const pairsHere = config.pairSeries !== 'remote-write';
  const { carried, emptied } = pairsHere ? carryOver(state.previous, results, kept.gone, notBeforeS) : { carried: [], emptied: [] };
  const sources = pairsHere ? sourceRegistries(results, carried, zonesOf(servers)) : new Map<string, Registry>();
  const coverage = coverageOf(planned, results, state.previous, { nowS: endedAt / 1000, notBeforeS, periodS: report.size.coveragePeriodS });
  const summary = { durationS: (endedAt - startedAt) / 1000, servers: servers.length, endedAt, carried: carried.length };
  const nodes = nodeAggregates(results, stillValid(state.previous, live, notBeforeS));
  const run = runRegistry(results, { ...summary, size: report.size, coverage, nodes, skipSeries: pairsHere });
  const liveNodes = pairsHere ? kept.keptSources : new Set<string>();
  const out = await pushResults(gateway, { job: config.job, sources, run, liveNodes, existing: state.groups, emptied });
  report.pushed = {
    groups: out.pushed.length,
    deleted: out.deleted,
    errors: out.errors.map((error) => error.message),
    carried: carried.length,
  };
  const why = pairsHere ? 'of a node that is gone' : 'with per-pair series (--pair-series remote-write)';
  for (const node of out.deleted) log.info({ source_node: node }, `deleted the Pushgateway group ${why}`);
  for (const error of out.errors) log.error({ err: error.message }, 'push failed');
  if (out.errors.length > 0) report.exitCode = 1;
}

/** Earlier results still held for live nodes and not expired (what the gateway keeps after this push). */
function* stillValid(previous: ReadonlyMap<string, PreviousPair>, live: ReadonlySet<string>, notBeforeS: number): Generator<PreviousPair> {
  for (const pair of previous.values()) if (live.has(pair.source) && live.has(pair.destination) && pair.timestamp >= notBeforeS) yield pair;
}

/** Each server's zone, when discovery knew zones (--node-zones); undefined: no zone labels. */
function zonesOf(servers: readonly Server[]): Map<string, string> | undefined {
  const zoned = servers.filter((server) => server.zone !== undefined);
  return zoned.length > 0 ? new Map(zoned.map((server) => [server.node, server.zone!])) : undefined;
}
