import type { Logger } from 'pino';
import { execa } from 'execa';
import { checkTools, labDown, labUp, type LabState } from './lab.ts';
import { pairCapacity, type Egress } from './spec.ts';

// `lab up|down` and `demo`: the local lab as a separate tool, so anyone can watch a real cycle (real
// iperf3, real Pushgateway, shaped links) on one machine before installing the chart. It installs
// nothing: a missing tool is named with the Debian package to install.

export interface LabArgs {
  action?: string;
  name: string;
  nodes: number;
  nicMbit: number;
  slow: string[];
  port: number;
  egress: Egress;
  startPushgateway: boolean;
  duration: number;
}

export async function labCommand(args: LabArgs, io: { log: Logger; stdout: NodeJS.WriteStream }): Promise<number> {
  if (args.action === 'down') {
    await labDown(args.name);
    io.log.info({ lab: args.name }, 'lab removed');
    return 0;
  }
  await checkTools();
  const state = await labUp({ ...labShape(args), pushgateway: args.startPushgateway });
  const run = runArgs(state, 2).map(quote).join(' ');
  io.stdout.write(`${describeLab(state)}\nRun a cycle on it:\n  ${run}\nRemove it:\n  iperf3-monitor lab down --name ${args.name}\n`);
  return 0;
}

export async function demoCommand(args: LabArgs, io: { log: Logger; stdout: NodeJS.WriteStream; signal: AbortSignal }): Promise<number> {
  await checkTools();
  const state = await labUp({ ...labShape(args), pushgateway: true });
  try {
    io.stdout.write(describeLab(state) + '\n');
    const argv = runArgs(state, args.duration);
    io.stdout.write(`$ ${argv.map(quote).join(' ')}\n`);
    const script = process.argv[1] ?? 'iperf3-monitor';
    const cycle = await execa(process.execPath, [script, ...argv.slice(1)], {
      stdio: 'inherit',
      reject: false,
      cancelSignal: io.signal,
      env: { IPERF3_MONITOR_LOG_LEVEL: 'warn' },
    });
    io.stdout.write(await pushedSamples(state.pushgatewayUrl ?? ''));
    return cycle.exitCode ?? 1;
  } finally {
    await labDown(args.name);
  }
}

function labShape(args: LabArgs) {
  return { name: args.name, nodes: args.nodes, nicMbit: args.nicMbit, slow: args.slow, port: args.port, egress: args.egress };
}

/** A few of the samples the cycle pushed, as the gateway serves them. */
async function pushedSamples(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const lines = text.split('\n').filter((line) => line.startsWith('iperf_network_bandwidth_mbps{') || line.startsWith('iperf_run_pairs{'));
  const shown = lines.slice(0, 8).map((line) => `  ${line}`);
  return `\nIn the Pushgateway (${url}/metrics), ${lines.length} of the samples:\n${shown.join('\n')}\n  …\n`;
}

function runArgs(state: LabState, duration: number): string[] {
  const push = state.pushgatewayUrl ? ['--pushgateway', state.pushgatewayUrl] : [];
  const targets = ['--targets', state.targetsFile, '--client-command', state.clientCommand];
  return ['iperf3-monitor', 'run', ...targets, ...push, '--duration', String(duration), '--omit', '0'];
}

function describeLab({ spec, pushgatewayUrl }: LabState): string {
  const slow = Object.entries(spec.slowPairs).map(([pair, mbit]) => `${pair.replace('>', '→')} ${mbit} Mbit/s`);
  const expected = (0.956 * pairCapacity(spec, 'n1', 'n2')).toFixed(0);
  return [
    `Lab ${spec.name}: ${spec.nodes.length} nodes (${spec.nodes.map((node) => `${node.name} ${node.ip}`).join(', ')})`,
    `  every NIC ${spec.nicMbit} Mbit/s${slow.length ? `; slow pairs: ${slow.join(', ')}` : ''}; iperf3 -s on port ${spec.port} in each`,
    `  egress: ${spec.egress === 'fifo' ? 'plain FIFO queues (ACKs wait behind bulk data)' : 'ACKs in a priority class of their own'}`,
    pushgatewayUrl ? `  Pushgateway ${pushgatewayUrl}` : '',
    `  expected TCP goodput ≈ 95 % of the shaped rate, e.g. n1→n2 ≈ ${expected} Mbit/s`,
  ]
    .filter(Boolean)
    .join('\n');
}

const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);
