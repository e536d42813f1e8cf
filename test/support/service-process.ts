// A real server process owned by a test (Pushgateway, Prometheus, Alertmanager): started, waited for
// until its /-/ready answers, killed afterwards; when it never gets ready, the error carries its log.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { waitFor } from './wait-for.ts';

export interface ServiceProcess {
  /** What it wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/** `cleanup`: a directory of the service's own (config, data) removed when it stops. */
export async function startService(name: string, command: string, args: string[], url: string, cleanup?: string): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  };
  try {
    await waitFor(`${name} on ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, 20_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; its log:\n${log}`);
  }
  return { log: () => log, stop };
}
