import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonReport } from '../../src/output/json-report.ts';

// Runs the built runner (node dist/iperf3-monitor.mjs run …) as the user would, under GNU time for
// its peak RSS, and returns its JSON report with the wall time the parent saw. Spawn time is taken
// on the same clock as stamp.sh's `date +%s%N`, so "process start → first iperf3" is one subtraction.

export const BIN = 'dist/iperf3-monitor.mjs';

export interface RunnerRun {
  report: JsonReport;
  /** Unix ms (fractional) just before the spawn. */
  spawnedAt: number;
  /** Process lifetime as the parent saw it, s. */
  wallS: number;
  /** Peak RSS of the runner (GNU time: the node process and the children it waited for), MB. */
  maxRssMB: number;
  stderr: string;
}

const nowMs = () => performance.timeOrigin + performance.now();

export function runRunner(args: string[], scratch: string, timeoutMs = 600_000): Promise<RunnerRun> {
  const timeFile = join(scratch, `time-${process.hrtime.bigint()}.txt`);
  return new Promise((resolve, reject) => {
    const spawnedAt = nowMs();
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, BIN, 'run', ...args, '--output', 'json'], {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallS = (nowMs() - spawnedAt) / 1000;
      const time = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
      rmSync(timeFile, { force: true });
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(time);
      if (code !== 0) return reject(new Error(`iperf3-monitor run ${args.join(' ')} exited ${code}\n${stderr.slice(-2000)}`));
      try {
        resolve({ report: JSON.parse(stdout) as JsonReport, spawnedAt, wallS, maxRssMB: rss ? Number(rss[1]) / 1024 : NaN, stderr });
      } catch (e) {
        reject(new Error(`iperf3-monitor printed no JSON report: ${(e as Error).message}\n${stdout.slice(0, 500)}`));
      }
    });
  });
}

/** Median wall time of `argv` over `k` runs, ms (node start-up of the bundle vs bare node). */
export async function startupMs(argv: string[], k = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < k; i++) {
    const t = nowMs();
    await new Promise<void>((res, rej) => {
      const c = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      c.on('error', rej);
      c.on('close', () => res());
    });
    times.push(nowMs() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

export interface Stamp {
  startMs: number;
  endMs: number;
  code: number;
  /** The netns the client ran in (the source node) and the server IP it connected to. */
  netns: string;
  serverIp: string;
}

export function readStamps(file: string): Stamp[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const w = l.split(' ');
      return {
        startMs: Number(w[0]) / 1e6,
        endMs: Number(w[1]) / 1e6,
        code: Number(w[2]),
        netns: w[w.indexOf('exec') + 1]!,
        serverIp: w[w.indexOf('-c') + 1]!,
      };
    });
}
