import { readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { buildRunConfig, type RawRunOptions, type RunConfig } from '../config/run-config.ts';
import type { Server } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import { parseTargets } from '../discovery/targets-file.ts';
import { localRunner } from '../exec/local-runner.ts';
import { clientEnv } from '../config/iperf-auth.ts';
import { interactiveTable } from './interactive.ts';
import { pushgatewayFor } from './push-transport.ts';
import { runCycle, planRun, budgeted, type CycleDeps, type CycleReport } from '../run/cycle.ts';
import { systemClock } from '../schedule/clock.ts';
import { jsonReport } from '../output/json-report.ts';
import { renderMatrix } from '../output/matrix.ts';
import { renderPlan } from '../output/plan.ts';
import { htmlReport } from '../output/html-report.ts';
import { progressLine } from '../output/progress.ts';
import { ConfigError } from '../errors/config-error.ts';
import type { KubernetesEdges } from './kubernetes-edges.ts';
import { countByStatus } from '../model/count-results.ts';
import { remoteWrite, type RemoteSample } from '../push/remote-write.ts';
import { prometheusQuery } from '../push/prometheus-query.ts';

// The entry point's half of `run`: builds the real edges (files, Kubernetes, processes, HTTP,
// clock) from the validated config and hands them to the cycle. Returns the exit code.

export interface RunIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  log: Logger;
  signal: AbortSignal;
}

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function configFromRaw(raw: RawRunOptions, env: Record<string, string | undefined>): RunConfig {
  return buildRunConfig(
    raw,
    { SOURCE_NODE_NAME: env.SOURCE_NODE_NAME, POD_NAME: env.POD_NAME, POD_NAMESPACE: env.POD_NAMESPACE },
    {
      readText: (path) => readFileSync(path, 'utf8'),
      serviceAccountNamespace: () => {
        try {
          return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() || undefined;
        } catch {
          return undefined;
        }
      },
    },
  );
}

/**
 * `gate`: what `verify` adds — called with the finished cycle's report (after the output is written);
 * its exit code applies when the run itself succeeded.
 */
export async function runCommand(config: RunConfig, io: RunIo, gate?: (report: CycleReport) => number): Promise<number> {
  const startedAt = systemClock.now();
  const { discover, runner, nodeObjects } = await edgesFor(config, io.log);
  if (config.dryRun) {
    io.stdout.write(await dryRun(config, io.log, await discover()));
    return 0;
  }
  const cluster = config.lease || config.pod ? await import('./cluster-clock-lease.ts') : undefined;
  // --deadline counts from this pod's start when it can be read, as the Job's activeDeadlineSeconds does.
  const deadlineFrom =
    config.pod && config.deadlineS !== undefined ? await cluster?.podStartedAt(config.pod, kubeconfigOf(config), io.log) : undefined;
  const lease = config.lease && (await cluster?.holdRunLease(config.lease, io.log));
  try {
    return await runLeased(config, io, { discover, runner, nodeObjects, startedAt, deadlineFrom }, gate);
  } finally {
    await lease?.release().catch((error: unknown) => io.log.warn({ err: (error as Error).message }, 'cannot release the run Lease'));
  }
}

/** --dry-run: what the run would test, in its order (reads the Pushgateway when given, writes nothing). */
async function dryRun(config: RunConfig, log: Logger, servers: Server[]): Promise<string> {
  const pushgateway = config.push && pushgatewayFor(config.push);
  const plan = await planRun(config, { clock: systemClock, log, ...(pushgateway ? { pushgateway } : {}) }, servers);
  const order = plan.earlier ? 'least recently measured first' : 'in plan order';
  const zoned = plan.size.zoned ? ', zoned plan' : '';
  return renderPlan(servers, budgeted(config, plan.pairs), {
    planned: plan.planned.length,
    order: order + zoned,
    testsPerRun: plan.size.testsPerRun,
  });
}

interface RunEdges {
  discover: () => Promise<Server[]>;
  runner: ClientRunner;
  nodeObjects?: (() => Promise<ReadonlySet<string> | undefined>) | undefined;
  startedAt: number;
  deadlineFrom: number | undefined;
}

function kubeconfigOf(config: RunConfig): string | undefined {
  return config.lease?.kubeconfig ?? (config.discovery.kind === 'kubernetes' ? config.discovery.kubeconfig : undefined);
}

async function runLeased(
  config: RunConfig,
  io: RunIo,
  { discover, runner, nodeObjects, startedAt, deadlineFrom }: RunEdges,
  gate?: (report: CycleReport) => number,
): Promise<number> {
  const gateway = config.push && pushgatewayFor(config.push);
  let progress: ReturnType<typeof progressLine> | undefined;
  const onPlan = (pairs: readonly unknown[]) => {
    if (interactiveTable(io.stderr, config.output)) progress = progressLine(pairs.length, (text) => io.stderr.write(text));
  };
  const deps: CycleDeps = {
    clock: systemClock,
    log: io.log,
    discover,
    onPlan,
    runner,
    ...(gateway ? { pushgateway: gateway } : {}),
    ...(config.remoteWrite ? { writeSamples: (samples: RemoteSample[]) => remoteWrite(fetch, config.remoteWrite!, samples, 30_000) } : {}),
    ...(config.stateUrl ? { stateQuery: prometheusQuery(fetch, config.stateUrl, 30_000) } : {}),
    signal: io.signal,
    onEvent: (event) => progress?.onEvent(event),
    ...(deadlineFrom !== undefined ? { deadlineFrom } : {}),
    ...(nodeObjects ? { nodeObjects } : {}),
  };
  const report = await runCycle(config, deps, startedAt);
  progress?.clear();
  logSummary(io.log, report);
  if (config.output === 'json') io.stdout.write(jsonReport(report));
  else if (config.output === 'table') io.stdout.write(renderMatrix(report, !!io.stdout.isTTY));
  const outputCode = config.outputFile !== undefined ? writeHtml(config.outputFile, report, io) : 0;
  const gateCode = gate ? gate(report) : 0;
  if (report.exitCode === 0 && io.signal.aborted) {
    // Stopped from outside (the Job's deadline, Ctrl-C): what completed was pushed; say how we ended.
    const signal = String(io.signal.reason);
    io.log.warn({ signal }, 'cycle stopped by a signal; completed results were pushed');
    return signal === 'SIGINT' ? 130 : 143;
  }
  return report.exitCode || outputCode || gateCode;
}

/**
 * `--output html FILE`: the page, and one line on stdout saying where it is. A write failure is logged
 * and exits 1 (the results were pushed).
 */
function writeHtml(file: string, report: CycleReport, io: RunIo): number {
  try {
    writeFileSync(file, htmlReport(report));
  } catch (error) {
    io.log.error({ err: (error as Error).message }, `--output html ${file}: cannot write the page`);
    return 1;
  }
  const ok = countByStatus(report.results).success;
  io.stdout.write(`wrote ${file}: ${report.results.length} tests, ${ok} ok, ${report.results.length - ok} not ok\n`);
  return 0;
}

/** Discovery and the client runner: a targets file and local processes, or the Kubernetes API. */
async function edgesFor(config: RunConfig, log: Logger): Promise<KubernetesEdges> {
  const { discovery } = config;
  if (discovery.kind === 'kubernetes') return (await import('./kubernetes-edges.ts')).kubernetesEdges(discovery, config, log);
  let text: string;
  try {
    text = readFileSync(discovery.file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`--targets ${discovery.file}: cannot read: ${reason}`, 'targets');
  }
  const servers = parseTargets(text, discovery.file, config.port);
  return { discover: () => Promise.resolve(servers), runner: localRunner(config.clientCommand ?? [config.iperf3], clientEnv(config.auth)) };
}

function logSummary(log: Logger, report: CycleReport): void {
  const summary = {
    duration_s: (report.endedAt - report.startedAt) / 1000,
    servers: report.servers.length,
    tests: report.results.length,
    ...countByStatus(report.results),
    pushed_groups: report.pushed?.groups,
    push_errors: report.pushed?.errors.length,
  };
  log.info(summary, 'cycle finished');
}
