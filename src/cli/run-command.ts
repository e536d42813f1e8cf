import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { buildRunConfig, type PushConfig, type RawRunOptions, type RunConfig } from '../config/run-config.ts';
import type { Server } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import { parseTargets } from '../discovery/targets-file.ts';
import { localRunner } from '../exec/local-runner.ts';
import { pushgateway, type Pushgateway } from '../push/pushgateway.ts';
import { interactiveTable } from './interactive.ts';
import { nodeHttp, pushHeaders } from './push-transport.ts';
import { runCycle, planCycle, type CycleDeps, type CycleReport } from '../run/cycle.ts';
import { systemClock } from '../schedule/clock.ts';
import { jsonReport } from '../output/json-report.ts';
import { renderMatrix } from '../output/matrix.ts';
import { renderPlan } from '../output/plan.ts';
import { progressLine } from '../output/progress.ts';
import { ConfigError } from '../errors/config-error.ts';
import { countByStatus } from '../model/count-results.ts';
import { remoteWrite, type RemoteSample } from '../push/remote-write.ts';

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
    { SOURCE_NODE_NAME: env.SOURCE_NODE_NAME },
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

export async function runCommand(config: RunConfig, io: RunIo): Promise<number> {
  const startedAt = systemClock.now();
  const { discover, runner } = await edgesFor(config, io.log);
  if (config.dryRun) {
    const servers = await discover();
    io.stdout.write(renderPlan(servers, planCycle(config, servers)));
    return 0;
  }
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
    signal: io.signal,
    onEvent: (event) => progress?.onEvent(event),
  };
  const report = await runCycle(config, deps, startedAt);
  progress?.clear();
  logSummary(io.log, report);
  if (config.output === 'json') io.stdout.write(jsonReport(report));
  else if (config.output === 'table') io.stdout.write(renderMatrix(report, !!io.stdout.isTTY));
  if (report.exitCode === 0 && io.signal.aborted) {
    // Stopped from outside (the Job's deadline, Ctrl-C): what completed was pushed; say how we ended.
    const signal = String(io.signal.reason);
    io.log.warn({ signal }, 'cycle stopped by a signal; completed results were pushed');
    return signal === 'SIGINT' ? 130 : 143;
  }
  return report.exitCode;
}

/** Discovery and the client runner: a targets file and local processes, or the Kubernetes API. */
async function edgesFor(config: RunConfig, log: Logger): Promise<{ discover: () => Promise<Server[]>; runner: ClientRunner }> {
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
  return { discover: () => Promise.resolve(servers), runner: localRunner(config.clientCommand ?? [config.iperf3]) };
}

function pushgatewayFor(push: PushConfig): Pushgateway {
  return pushgateway({
    url: push.url,
    timeoutMs: push.timeoutMs,
    retries: push.retries,
    headers: pushHeaders(push),
    http: nodeHttp(push.caFile),
    sleep: (ms) => systemClock.sleep(ms),
  });
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
