import { writeFileSync } from 'node:fs';
import type { RunConfig } from '../config/run-config.ts';
import type { VerifyConfig } from '../verify/verify-config.ts';
import type { Baseline } from '../verify/floors.ts';
import type { CycleReport } from '../run/cycle.ts';
import { judge, passed } from '../verify/judge.ts';
import { junitReport } from '../verify/junit.ts';
import { markdownSummary } from '../verify/markdown.ts';
import { pushgatewayBaseline } from '../verify/baseline-pushgateway.ts';
import { prometheusBaseline } from '../verify/baseline-prometheus.ts';
import { pushgateway } from '../push/pushgateway.ts';
import { systemClock } from '../schedule/clock.ts';
import { nodeHttp, pushHeaders } from './push-transport.ts';
import { runCommand, type RunIo } from './run-command.ts';

// `verify`: the gate for upgrades and provisioning. Reads the baseline first (a run that cannot read
// it tests nothing), runs the same cycle as `run` (pushing only with --push), then judges every pair
// against the floors, writes the JUnit and Markdown reports and exits 3 when any pair failed.

export const GATE_FAILED = 3;

export async function verifyCommand(config: RunConfig, verify: VerifyConfig, io: RunIo): Promise<number> {
  const { log } = io;
  let baseline: Baseline = new Map();
  let baselineSource: string | undefined;
  if (verify.baseline?.kind === 'pushgateway' && config.push) {
    const p = config.push;
    const gw = pushgateway({
      url: p.url,
      timeoutMs: p.timeoutMs,
      retries: p.retries,
      headers: pushHeaders(p),
      http: nodeHttp(p.caFile),
      sleep: (ms) => systemClock.sleep(ms),
    });
    baseline = await pushgatewayBaseline(gw, config.job, p.url);
    baselineSource = `last result in the Pushgateway ${p.url}`;
  } else if (verify.baseline?.kind === 'prometheus') {
    const b = verify.baseline;
    baseline = await prometheusBaseline({ url: b.url, job: config.job, window: b.window, timeoutMs: 30_000, http: nodeHttp() });
    baselineSource = `median over ${b.window} in Prometheus ${b.url}`;
  }
  if (verify.baseline) log.info({ pairs: baseline.size, source: baselineSource }, 'baseline read');

  const cycle: RunConfig = { ...config };
  if (!verify.push) delete cycle.push;
  return runCommand(cycle, io, async (report: CycleReport) => {
    const verdicts = judge(report.results, verify.floors, baseline);
    const run = {
      startedAt: report.startedAt,
      endedAt: report.endedAt,
      floors: verify.floors,
      servers: report.servers.length,
      ...(baselineSource ? { baselineSource } : {}),
    };
    let code = 0;
    const write = (flag: string, path: string, text: string) => {
      if (path === '-') return void io.stdout.write(text);
      try {
        writeFileSync(path, text);
      } catch (e) {
        log.error({ err: (e as Error).message }, `--${flag} ${path}: cannot write the report`);
        code = 1;
      }
    };
    if (verify.junit !== undefined) write('junit', verify.junit, junitReport(verdicts, run));
    if (verify.markdown !== undefined) write('markdown', verify.markdown, markdownSummary(verdicts, run));
    const failed = verdicts.filter((v) => v.kind !== 'pass');
    for (const v of failed) {
      const { pair } = v.result;
      log.warn(
        {
          source_node: pair.source.node,
          destination_node: pair.destination.node,
          protocol: pair.protocol,
          verdict: v.kind,
          reason: v.reason,
        },
        'pair failed the gate',
      );
    }
    if (passed(verdicts)) log.info({ pairs: verdicts.length }, 'verify passed');
    else log.error({ pairs: verdicts.length, failed: failed.length }, 'verify failed');
    return code || (passed(verdicts) ? 0 : GATE_FAILED);
  });
}
