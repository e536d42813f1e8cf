// Runs `iperf3-monitor run` again and again, like a CronJob with a very short schedule, and records each
// run: when it started and exited, its exit code and its JSON report. stop() lets the current run finish
// and starts no other; kill() ends the current run at once (teardown after a failure).
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../support/cli.ts';

export interface RunRecord {
  startedAt: number;
  endedAt: number;
  code: number | null;
  stderr: string;
  report?: {
    pairs: {
      source_node: string;
      destination_node: string;
      success: boolean;
      status: string;
      bandwidth_mbps: number | null;
      error: string | null;
      started_at: string | null;
      duration_s: number | null;
    }[];
  };
}

export interface RunnerLoop {
  runs: RunRecord[];
  /** Resolves when the run in progress (if any) has exited; no run starts after. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export function startRunnerLoop(args: string[], gapMs: number): RunnerLoop {
  const runs: RunRecord[] = [];
  let stopping = false;
  let child: ChildProcess | undefined;
  const once = () =>
    new Promise<RunRecord>((resolve, reject) => {
      const startedAt = Date.now();
      child = spawn(process.execPath, [BIN, 'run', ...args, '--output', 'json'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        child = undefined;
        const r: RunRecord = { startedAt, endedAt: Date.now(), code, stderr };
        try {
          r.report = JSON.parse(stdout) as RunRecord['report'];
        } catch {
          // a run that failed before its report: the record keeps stderr
        }
        resolve(r);
      });
    });
  const loop = (async () => {
    while (!stopping) {
      runs.push(await once());
      if (!stopping) await new Promise((r) => setTimeout(r, gapMs));
    }
  })();
  return {
    runs,
    async stop() {
      stopping = true;
      await loop;
    },
    async kill() {
      stopping = true;
      child?.kill('SIGKILL');
      await loop.catch(() => {});
    },
  };
}
