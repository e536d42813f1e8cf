import { cpus, loadavg, release, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

// The machine a figure was measured on, with its load: this 2-core box is shared with other jobs.

export interface Machine {
  nproc: number;
  cpu: string;
  kernel: string;
  node: string;
  iperf3: string;
  memGB: number;
}

export function machine(): Machine {
  let iperf3 = 'not installed';
  try {
    iperf3 = execFileSync('iperf3', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    // no iperf3: the lab part is skipped anyway
  }
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    iperf3,
    memGB: Math.round(totalmem() / 2 ** 30),
  };
}

export const load = () => loadavg().map((l) => Number(l.toFixed(2)));
