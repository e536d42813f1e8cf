import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';
import { LabError } from './lab-error.ts';

// The lab's real Pushgateway (Debian's prometheus-pushgateway) on a free loopback port. It outlives
// `lab up` (detached, logging into the lab's state dir) and `lab down` stops it by its pid.

/**
 * The gateway's command line on `port`. `--persistence.file=` is empty on purpose: Debian's build
 * persists to a shared file by default, and every gateway would start with the groups of earlier runs.
 */
export function pushgatewayArgs(port: number): string[] {
  return [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='];
}

export async function startPushgateway(dir: string): Promise<{ pushgatewayUrl: string; pushgatewayPid: number }> {
  const port = await freePort();
  const logFd = openSync(join(dir, 'pushgateway.log'), 'a');
  const child = spawn('prometheus-pushgateway', pushgatewayArgs(port), { detached: true, stdio: ['ignore', logFd, logFd] });
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(`${url}/-/ready`))) {
    if (Date.now() > deadline) throw new LabError(`Pushgateway did not become ready on ${url} (log: ${join(dir, 'pushgateway.log')})`);
    await sleep(100);
  }
  if (child.pid === undefined) throw new LabError('prometheus-pushgateway did not start');
  return { pushgatewayUrl: url, pushgatewayPid: child.pid };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
