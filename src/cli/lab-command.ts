import type { Logger } from 'pino';
import { execa } from 'execa';
import { ensureTools, labDown, labUp, type LabState } from '../lab/lab.ts';
import { pairCapacity } from '../lab/spec.ts';

// `lab up|down` and `demo`: the local lab as a product feature, so anyone can watch a real cycle
// (real iperf3, real Pushgateway, shaped links) on one machine before installing the chart.

export interface LabArgs {
  action?: string;
  name: string;
  nodes: number;
  nicMbit: number;
  slow: string[];
  port: number;
  pushgateway: boolean;
  duration: number;
}

export async function labCommand(args: LabArgs, io: { log: Logger; stdout: NodeJS.WriteStream }): Promise<number> {
  if (args.action === 'down') {
    await labDown(args.name);
    io.log.info({ lab: args.name }, 'lab removed');
    return 0;
  }
  await ensureTools((m) => io.log.info(m));
  const state = await labUp({ name: args.name, nodes: args.nodes, nicMbit: args.nicMbit, slow: args.slow, port: args.port, pushgateway: args.pushgateway });
  io.stdout.write(describeLab(state) + `\nRun a cycle on it:\n  ${runArgs(state, 2).map(quote).join(' ')}\nRemove it:\n  iperf3-monitor lab down --name ${args.name}\n`);
  return 0;
}

export async function demoCommand(args: LabArgs, io: { log: Logger; stdout: NodeJS.WriteStream; signal: AbortSignal }): Promise<number> {
  await ensureTools((m) => io.log.info(m));
  const state = await labUp({ name: args.name, nodes: args.nodes, nicMbit: args.nicMbit, slow: args.slow, port: args.port, pushgateway: true });
  try {
    io.stdout.write(describeLab(state) + '\n');
    const argv = runArgs(state, args.duration);
    io.stdout.write(`$ ${argv.map(quote).join(' ')}\n`);
    const r = await execa(process.execPath, [process.argv[1]!, ...argv.slice(1)], {
      stdio: 'inherit',
      reject: false,
      cancelSignal: io.signal,
      env: { IPERF3_MONITOR_LOG_LEVEL: 'warn' },
    });
    const text = await (await fetch(`${state.pushgatewayUrl}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith('iperf_network_bandwidth_mbps{') || l.startsWith('iperf_run_pairs{'));
    io.stdout.write(`\nIn the Pushgateway (${state.pushgatewayUrl}/metrics), ${lines.length} of the samples:\n${lines.slice(0, 8).map((l) => `  ${l}`).join('\n')}\n  …\n`);
    return r.exitCode ?? 1;
  } finally {
    await labDown(args.name);
  }
}

function runArgs(s: LabState, duration: number): string[] {
  return [
    'iperf3-monitor',
    'run',
    '--targets',
    s.targetsFile,
    '--client-command',
    s.clientCommand,
    ...(s.pushgatewayUrl ? ['--pushgateway', s.pushgatewayUrl] : []),
    '--duration',
    String(duration),
    '--omit',
    '0',
  ];
}

function describeLab(s: LabState): string {
  const { spec } = s;
  const slow = Object.entries(spec.slowPairs).map(([k, v]) => `${k.replace('>', '→')} ${v} Mbit/s`);
  return [
    `Lab ${spec.name}: ${spec.nodes.length} nodes (${spec.nodes.map((n) => `${n.name} ${n.ip}`).join(', ')})`,
    `  every NIC ${spec.nicMbit} Mbit/s${slow.length ? `; slow pairs: ${slow.join(', ')}` : ''}; iperf3 -s on port ${spec.port} in each`,
    s.pushgatewayUrl ? `  Pushgateway ${s.pushgatewayUrl}` : '',
    `  expected TCP goodput ≈ 95 % of the shaped rate, e.g. n1→n2 ≈ ${(0.956 * pairCapacity(spec, 'n1', 'n2')).toFixed(0)} Mbit/s`,
  ]
    .filter(Boolean)
    .join('\n');
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);

