import { execa } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labSpec, setupCommands, type LabNode, type LabOptions, type LabSpec } from './spec.ts';
import { startPushgateway } from './pushgateway.ts';
import { LabError } from './lab-error.ts';

// Builds and removes the local lab: network namespaces on a bridge (see spec.ts), a real iperf3
// server in each, a real Pushgateway on loopback. State lives in /run/iperf3-monitor/lab-<name>/
// so that `lab down` (or a test's teardown) finds everything, even after a crash. The lab is a
// separate tool for the demo and the tests; `run` never loads it.

export interface LabState {
  spec: LabSpec;
  dir: string;
  targetsFile: string;
  /** Client command for static mesh mode on this lab. */
  clientCommand: string;
  pushgatewayUrl?: string;
  pushgatewayPid?: number;
}

export { LabError };

const STATE_ROOT = '/run/iperf3-monitor';
/** Command the lab runs → the Debian package that provides it. */
const NEEDED: Record<string, string> = {
  ip: 'iproute2',
  tc: 'iproute2',
  iperf3: 'iperf3',
  'prometheus-pushgateway': 'prometheus-pushgateway',
};

function stateDir(name: string): string {
  return join(STATE_ROOT, `lab-${name}`);
}

/** Fails, naming the Debian packages to install, when a command the lab runs is missing. */
export async function checkTools(): Promise<void> {
  const missing = new Set<string>();
  for (const tool of Object.keys(NEEDED)) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
    if (found.exitCode !== 0) missing.add(NEEDED[tool] ?? tool);
  }
  if (missing.size > 0) {
    const packages = [...missing].join(' ');
    throw new LabError(`the lab needs ${[...missing].join(', ')}; install them first, e.g. apt-get install ${packages}`);
  }
}

export async function labUp(options: LabOptions & { pushgateway: boolean }): Promise<LabState> {
  if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces, tc)');
  const spec = labSpec(options);
  await labDown(spec.name); // a previous run of the same lab may have been killed half-way
  const dir = stateDir(spec.name);
  mkdirSync(dir, { recursive: true });
  try {
    for (const command of setupCommands(spec)) await run(command);
    for (const node of spec.nodes) await startServer(spec, dir, node);
    const targetsFile = join(dir, 'targets.json');
    const targets = spec.nodes.map((node) => ({ node: node.name, ip: node.ip, port: spec.port }));
    writeFileSync(targetsFile, JSON.stringify(targets, null, 2) + '\n');
    const state: LabState = { spec, dir, targetsFile, clientCommand: `ip netns exec ${spec.name}-{node} iperf3` };
    if (options.pushgateway) Object.assign(state, await startPushgateway(dir));
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
    await waitForServers(spec, spec.nodes);
    return state;
  } catch (error) {
    await labDown(spec.name);
    throw error;
  }
}

function readLabState(name: string): LabState | undefined {
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
    .map((line) => line.split(' ')[0] ?? '')
    .filter((namespace) => namespace.startsWith(`${name}-n`));
  for (const namespace of namespaces) {
    // Processes keep a namespace alive after `ip netns del`: stop them first.
    const pids = await execa('ip', ['netns', 'pids', namespace], { reject: false });
    for (const pid of String(pids.stdout).split('\n').filter(Boolean)) kill(Number(pid), 'SIGKILL');
    await execa('ip', ['netns', 'del', namespace], { reject: false });
  }
  const links = await execa('ip', ['-o', 'link', 'show'], { reject: false });
  for (const match of String(links.stdout).matchAll(new RegExp(`^\\d+: (${name}(?:n\\d+h|-br))[@:]`, 'gm'))) {
    await execa('ip', ['link', 'del', match[1] ?? ''], { reject: false });
  }
  rmSync(stateDir(name), { recursive: true, force: true });
}

/** The file holding the pid of `node`'s iperf3 server. */
export function serverPidFile(dir: string, node: string): string {
  return join(dir, `${node}.pid`);
}

/** Starts `node`'s iperf3 server as a daemon in its namespace. */
export async function startServer(spec: LabSpec, dir: string, node: LabNode): Promise<void> {
  await run(['ip', 'netns', 'exec', node.netns, 'iperf3', '-s', '-p', String(spec.port), '-D', '-I', serverPidFile(dir, node.name)]);
}

/** Waits until each node's server listens (iperf3 -D returns before it does). */
export async function waitForServers(spec: LabSpec, nodes: readonly LabNode[]): Promise<void> {
  for (const node of nodes) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const listening = await execa('ip', ['netns', 'exec', node.netns, 'ss', '-Hltn', `sport = :${spec.port}`], { reject: false });
      if (String(listening.stdout).trim()) break;
      if (Date.now() > deadline) throw new LabError(`iperf3 server on ${node.name} did not start listening on port ${spec.port}`);
      await sleep(50);
    }
  }
}

async function run(command: string[]): Promise<void> {
  const [file = '', ...args] = command;
  const result = await execa(file, args, { reject: false });
  if (result.exitCode !== 0) throw new LabError(`${command.join(' ')}: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`);
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // not running
  }
}
