import { networkOf, nodesOf } from '../model/network.ts';
import { writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { RunConfig } from '../config/run-config.ts';
import type { VerifyConfig } from '../verify/verify-config.ts';
import type { CycleReport } from '../run/cycle.ts';
import { judge, passed, type Verdict } from '../verify/judge.ts';
import { junitReport } from '../verify/junit.ts';
import { markdownSummary } from '../verify/markdown.ts';
import { readBaseline, type BaselineRead } from './verify-baseline.ts';
import { runCommand, type RunIo } from './run-command.ts';

// `verify`: the gate for upgrades and provisioning. Reads the baseline first (a run that cannot read
// it tests nothing), runs the same cycle as `run` (pushing only with --push), then judges every pair
// against the floors, writes the JUnit and Markdown reports and exits 3 when any pair failed.

export const GATE_FAILED = 3;

export async function verifyCommand(config: RunConfig, verify: VerifyConfig, io: RunIo): Promise<number> {
  const baseline = await readBaseline(config, verify);
  if (verify.baseline) io.log.info({ pairs: baseline.baseline.size, source: baseline.source }, 'baseline read');
  const cycle: RunConfig = { ...config };
  if (!verify.push) delete cycle.push;
  return runCommand(cycle, io, (report) => gate(report, verify, baseline, io));
}

/** Judges the finished cycle, writes the reports, logs each failed pair; the exit code. */
function gate(report: CycleReport, verify: VerifyConfig, { baseline, source }: BaselineRead, io: RunIo): number {
  const verdicts = judge(report.results, verify.floors, baseline);
  const run = {
    startedAt: report.startedAt,
    endedAt: report.endedAt,
    floors: verify.floors,
    // Nodes, not servers: a node with a host- and a pod-network server is one node.
    servers: nodesOf(report.servers).length,
    ...(source ? { baselineSource: source } : {}),
  };
  let written = true;
  if (verify.junit !== undefined) written = writeReport('junit', verify.junit, junitReport(verdicts, run), io) && written;
  if (verify.markdown !== undefined) written = writeReport('markdown', verify.markdown, markdownSummary(verdicts, run), io) && written;
  logVerdicts(io.log, verdicts);
  if (!written) return 1;
  return passed(verdicts) ? 0 : GATE_FAILED;
}

/** A report to its file, or to stdout for "-"; false (logged) when the file cannot be written. */
function writeReport(flag: string, path: string, text: string, io: RunIo): boolean {
  if (path === '-') {
    io.stdout.write(text);
    return true;
  }
  try {
    writeFileSync(path, text);
    return true;
  } catch (error) {
    io.log.error({ err: (error as Error).message }, `--${flag} ${path}: cannot write the report`);
    return false;
  }
}

function logVerdicts(log: Logger, verdicts: readonly Verdict[]): void {
  const failed = verdicts.filter((verdict) => verdict.kind !== 'pass');
  for (const { result, kind, reason } of failed) {
    const { source, destination, protocol } = result.pair;
    const labels = { source_node: source.node, destination_node: destination.node, protocol, network: networkOf(source) };
    log.warn({ ...labels, verdict: kind, reason }, 'pair failed the gate');
  }
  if (failed.length === 0) log.info({ pairs: verdicts.length }, 'verify passed');
  else log.error({ pairs: verdicts.length, failed: failed.length }, 'verify failed');
}
