import { readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { buildRunConfig, type RawRunOptions, type RunConfig } from '../config/run-config.ts';
import type { Server } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import { parseTargets } from '../discovery/targets-file.ts';
import { localRunner } from '../exec/local-runner.ts';
import { pushgateway } from '../push/pushgateway.ts';
import { nodeHttp, pushHeaders } from './push-transport.ts';
import { runCycle, planCycle, type CycleReport } from '../run/cycle.ts';
import { systemClock } from '../schedule/clock.ts';
import { jsonReport } from '../output/json-report.ts';
import { renderMatrix } from '../output/matrix.ts';
import { renderPlan } from '../output/plan.ts';
import { htmlReport } from '../output/html-report.ts';
import { progressLine } from '../output/progress.ts';
import { ConfigError } from '../errors/config-error.ts';

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
  return buildRunConfig(raw, { SOURCE_NODE_NAME: env.SOURCE_NODE_NAME }, {
    readText: (p) => readFileSync(p, 'utf8'),
    serviceAccountNamespace: () => {
      try {
        return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    },
  });
}

/**
 * `gate`: what `verify` adds — called with the finished cycle's report (after the output is written);
 * its exit code applies when the run itself succeeded.
 */
export async function runCommand(config: RunConfig, io: RunIo, gate?: (report: CycleReport) => Promise<number>): Promise<number> {
  const { log } = io;
  const startedAt = systemClock.now();
  let discover: () => Promise<Server[]>;
  let runner: ClientRunner;
  const d = config.discovery;
  if (d.kind === 'static') {
    let text: string;
    try {
      text = readFileSync(d.file, 'utf8');
    } catch (e) {
      throw new ConfigError(`--targets ${d.file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'targets');
    }
    const servers = parseTargets(text, d.file, config.port);
    discover = async () => servers;
    runner = localRunner(config.clientCommand ?? [config.iperf3], clientEnv(config));
  } else {
    ({ discover, runner } = (await import('./kubernetes-edges.ts')).kubernetesEdges(d, config));
  }

  if (config.dryRun) {
    const servers = await discover();
    io.stdout.write(renderPlan(servers, planCycle(config, servers)));
    return 0;
  }

  const gw = config.push
    ? pushgateway({
        url: config.push.url,
        timeoutMs: config.push.timeoutMs,
        retries: config.push.retries,
        headers: pushHeaders(config.push),
        http: nodeHttp(config.push.caFile),
        sleep: (ms) => systemClock.sleep(ms),
      })
    : undefined;
  const tty = io.stderr.isTTY && config.output === 'table';
  let progress: ReturnType<typeof progressLine> | undefined;
  const report = await runCycle(
    config,
    {
      clock: systemClock,
      log,
      discover,
      onPlan: (pairs) => {
        if (tty) progress = progressLine(pairs.length, (s) => io.stderr.write(s));
      },
      runner,
      ...(gw ? { pushgateway: gw } : {}),
      signal: io.signal,
      onEvent: (e) => progress?.onEvent(e),
    },
    startedAt,
  );
  progress?.clear();
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  log.info(
    {
      duration_s: (report.endedAt - report.startedAt) / 1000,
      servers: report.servers.length,
      tests: report.results.length,
      success: count('success'),
      failure: count('failure'),
      skipped: count('skipped'),
      pushed_groups: report.pushed?.groups,
      push_errors: report.pushed?.errors.length,
    },
    'cycle finished',
  );
  if (config.output === 'json') io.stdout.write(jsonReport(report));
  else if (config.output === 'table') io.stdout.write(renderMatrix(report, !!io.stdout.isTTY));
  const outputCode = config.output === 'html' ? writeHtml(config.outputFile!, report, io) : 0;
  const gateCode = gate ? await gate(report) : 0;
  if (report.exitCode === 0 && io.signal.aborted) {
    // Stopped from outside (the Job's deadline, Ctrl-C): what completed was pushed; say how we ended.
    const signal = String(io.signal.reason);
    log.warn({ signal }, 'cycle stopped by a signal; completed results were pushed');
    return signal === 'SIGINT' ? 130 : 143;
  }
  return report.exitCode || outputCode || gateCode;
}

/** `--output html FILE`: the page, and one line on stdout saying where it is. A write failure is logged and exits 1 (the results were pushed). */
function writeHtml(file: string, report: CycleReport, io: RunIo): number {
  try {
    writeFileSync(file, htmlReport(report));
  } catch (e) {
    io.log.error({ err: (e as Error).message }, `--output html ${file}: cannot write the page`);
    return 1;
  }
  const ok = report.results.filter((x) => x.status === 'success').length;
  io.stdout.write(`wrote ${file}: ${report.results.length} tests, ${ok} ok, ${report.results.length - ok} not ok\n`);
  return 0;
}

/** What the runner adds to a local client's environment: the iperf3 password, never its argv. */
export function clientEnv(config: RunConfig): Record<string, string> | undefined {
  return config.auth?.password !== undefined ? { IPERF3_PASSWORD: config.auth.password } : undefined;
}
