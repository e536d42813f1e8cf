import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { labSpec, setupCommands, type LabOptions, type LabSpec } from './spec.ts';

// Builds and removes the local lab: network namespaces on a bridge (see spec.ts), a real iperf3
// server in each, a real Pushgateway on loopback. State lives in /run/iperf3-monitor/lab-<name>/
// so that `lab down` (or a test's teardown) finds everything, even after a crash.

export interface LabState {
  spec: LabSpec;
  dir: string;
  targetsFile: string;
  /** Client command for static mesh mode on this lab. */
  clientCommand: string;
  pushgatewayUrl?: string;
  pushgatewayPid?: number;
}

export class LabError extends Error {
  override readonly name = 'LabError';
}

const STATE_ROOT = '/run/iperf3-monitor';
const NEEDED: Record<string, string> = { ip: 'iproute2', tc: 'iproute2', iperf3: 'iperf3', 'prometheus-pushgateway': 'prometheus-pushgateway' };

export function stateDir(name: string): string {
  return join(STATE_ROOT, `lab-${name}`);
}

/** Installs the Debian packages the lab needs when a tool is missing (root only). */
export async function ensureTools(log: (msg: string) => void, tools = Object.keys(NEEDED)): Promise<void> {
  const missing: string[] = [];
  for (const t of tools) {
    const r = await execa('sh', ['-c', `command -v ${t}`], { reject: false });
    if (r.exitCode !== 0) missing.push(NEEDED[t]!);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new LabError(`the lab needs ${[...new Set(missing)].join(', ')}; install them or run as root`);
  log(`installing ${[...new Set(missing)].join(' ')} with apt-get`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await execa('apt-get', ['update', '-qq'], { env });
  await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...new Set(missing)], { env });
}

export async function labUp(o: LabOptions & { pushgateway: boolean }): Promise<LabState> {
  if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces, tc)');
  const spec = labSpec(o);
  await labDown(spec.name); // a previous run of the same lab may have been killed half-way
  const dir = stateDir(spec.name);
  mkdirSync(dir, { recursive: true });
  try {
    for (const cmd of setupCommands(spec)) await run(cmd);
    for (const n of spec.nodes) {
      await run(['ip', 'netns', 'exec', n.netns, 'iperf3', '-s', '-p', String(spec.port), '-D', '-I', join(dir, `${n.name}.pid`)]);
    }
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify(spec.nodes.map((n) => ({ node: n.name, ip: n.ip, port: spec.port })), null, 2) + '\n');
    const state: LabState = { spec, dir, targetsFile, clientCommand: `ip netns exec ${spec.name}-{node} iperf3` };
    if (o.pushgateway) Object.assign(state, await startPushgateway(dir));
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
    await waitForServers(spec);
    return state;
  } catch (e) {
    await labDown(spec.name);
    throw e;
  }
}

export function readLabState(name: string): LabState | undefined {
  const file = join(stateDir(name), 'state.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LabState) : undefined;
}

/** Removes everything of lab `name`; idempotent, and works from the names alone when state is lost. */
export async function labDown(name: string): Promise<void> {
  const state = readLabState(name);
  if (state?.pushgatewayPid) kill(state.pushgatewayPid);
  const list = await execa('ip', ['netns', 'list'], { reject: false });
  const namespaces = String(list.stdout)
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((ns) => ns.startsWith(`${name}-n`));
  for (const ns of namespaces) {
    // Processes keep a namespace alive after `ip netns del`: stop them first.
    const pids = await execa('ip', ['netns', 'pids', ns], { reject: false });
    for (const pid of String(pids.stdout).split('\n').filter(Boolean)) kill(Number(pid), 'SIGKILL');
    await execa('ip', ['netns', 'del', ns], { reject: false });
  }
  const links = await execa('ip', ['-o', 'link', 'show'], { reject: false });
  for (const m of String(links.stdout).matchAll(new RegExp(`^\\d+: (${name}(?:n\\d+h|-br))[@:]`, 'gm'))) {
    await execa('ip', ['link', 'del', m[1]!], { reject: false });
  }
  rmSync(stateDir(name), { recursive: true, force: true });
}

/** Stops (SIGSTOP) / resumes (SIGCONT) / kills a node's iperf3 server: faults for tests and the bench. */
export function serverPid(state: LabState, node: string): number {
  return Number(readFileSync(join(state.dir, `${node}.pid`), 'utf8').trim());
}

export async function restartServer(state: LabState, node: string): Promise<void> {
  const n = state.spec.nodes.find((x) => x.name === node);
  if (!n) throw new LabError(`no lab node ${node}`);
  try {
    kill(serverPid(state, node), 'SIGKILL');
  } catch {
    // already gone
  }
  // A killed daemon can linger as a zombie (PID 1 here does not reap), and iperf3 refuses to start
  // while its pidfile names a pid that still exists.
  rmSync(join(state.dir, `${node}.pid`), { force: true });
  await run(['ip', 'netns', 'exec', n.netns, 'iperf3', '-s', '-p', String(state.spec.port), '-D', '-I', join(state.dir, `${node}.pid`)]);
  await waitForServers({ ...state.spec, nodes: [n] });
}

async function run(cmd: string[]): Promise<void> {
  const r = await execa(cmd[0]!, cmd.slice(1), { reject: false });
  if (r.exitCode !== 0) throw new LabError(`${cmd.join(' ')}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`);
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGTERM') {
  try {
    process.kill(pid, signal);
  } catch {
    // not running
  }
}

async function waitForServers(spec: LabSpec): Promise<void> {
  for (const n of spec.nodes) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await execa('ip', ['netns', 'exec', n.netns, 'ss', '-Hltn', `sport = :${spec.port}`], { reject: false });
      if (String(r.stdout).trim()) break;
      if (Date.now() > deadline) throw new LabError(`iperf3 server on ${n.name} did not start listening on port ${spec.port}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real Pushgateway on a free loopback port, detached, logging into the state dir. */
export async function startPushgateway(dir: string): Promise<{ pushgatewayUrl: string; pushgatewayPid: number }> {
  const port = await freePort();
  const logFd = openSync(join(dir, 'pushgateway.log'), 'a');
  // Debian's build persists to a shared file by default: every gateway would start with old groups.
  const child = spawn('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], { detached: true, stdio: ['ignore', logFd, logFd] });
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new LabError(`Pushgateway did not become ready on ${url}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return { pushgatewayUrl: url, pushgatewayPid: child.pid! };
}
