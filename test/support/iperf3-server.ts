// Real iperf3 servers on loopback ports (`iperf3 -s -p <port> -D`), stopped by the pid they wrote.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

export interface Iperf3Server {
  port: number;
  stop(): void;
}

/** Asks the kernel (ss) rather than connecting: a probe connection would be a client to iperf3. */
function listening(port: number): boolean {
  return execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '';
}

export async function startIperf3Server(): Promise<Iperf3Server> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-srv-'));
  const pidFile = join(dir, 'pid');
  execFileSync('iperf3', ['-s', '-B', '127.0.0.1', '-p', String(port), '-D', '-I', pidFile]);
  await waitFor(`iperf3 -s on port ${port}`, () => readFileSync(pidFile, 'utf8').trim() !== '' && listening(port));
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    port,
    stop() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
