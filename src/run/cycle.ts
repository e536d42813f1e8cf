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
  /** 0 ok, 1 push failed (discovery failures throw). */
  exitCode: 0 | 1;
  pushed?: { groups: number; deleted: string[]; errors: string[] };
}

export async function planCycle(config: RunConfig, servers: Server[]): Promise<Pair[]> {
  return planPairs(servers, { mode: config.mode, sourceNode: config.sourceNode, protocols: config.protocols });
}

export async function runCycle(config: RunConfig, deps: CycleDeps, startedAt = deps.clock.now()): Promise<CycleReport> {
  const { clock, log } = deps;
  const servers = await deps.discover();
  log.info({ servers: servers.length, nodes: servers.map((s) => s.node) }, 'servers discovered');
  if (config.mode === 'star' && !servers.some((s) => s.node === config.sourceNode)) {
    log.warn({ source_node: config.sourceNode }, 'the source node has no server pod; testing from it anyway');
  }
  const pairs = await planCycle(config, servers);
  log.info({ tests: pairs.length, concurrency: config.concurrency, exclusive: config.exclusive }, 'cycle planned');
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
  const report: CycleReport = { servers, pairs, results, startedAt, endedAt, exitCode: 0 };

  if (deps.pushgateway) {
    const sources = sourceRegistries(results);
    const run = runRegistry(results, { durationS: (endedAt - startedAt) / 1000, servers: servers.length, endedAt });
    const live = new Set(servers.map((s) => s.node));
    if (config.mode === 'star' && config.sourceNode) live.add(config.sourceNode);
    const out = await pushResults(deps.pushgateway, config.job, sources, run, live);
    report.pushed = { groups: out.pushed.length, deleted: out.deleted, errors: out.errors.map((e) => e.message) };
    for (const node of out.deleted) log.info({ source_node: node }, 'deleted the Pushgateway group of a node that is gone');
    for (const e of out.errors) log.error({ err: e.message }, 'push failed');
    if (out.errors.length > 0) report.exitCode = 1;
  }
  return report;
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
