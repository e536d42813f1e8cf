import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../../src/lab/lab.ts';
import type { Egress } from '../../src/lab/spec.ts';
import { runRunner, type RunnerRun } from './runner-process.ts';
import { TCP_EFFICIENCY } from './lab-bench.ts';

// Issue 16's table: a 24-node lab (50 Mbit/s per node, no slow pairs, 2 s tests, concurrency 24),
// once per egress kind (fifo: ACKs queue behind bulk data; isolated: ACKs in a priority class), and
// per kind the old full duplex (--interference off), --exclusive, and the new default (suspected
// readings re-tested alone). Accuracy is every published reading against the shaped truth.

export const DUPLEX_N = 24;
export const DUPLEX_NIC_MBIT = 50;
const D = 2;
const C = 24;
const WINDOW_S = 40;

export const fullDuplexFloorS = (n: number) => (n - 1) * D;
export const exclusiveFloorS = (n: number) => Math.ceil((n * (n - 1)) / Math.min(C, Math.floor(n / 2))) * D;

export interface DuplexRow {
  egress: Egress;
  mode: 'full duplex (old)' | 'exclusive' | 'full duplex + re-test (new)';
  pairs: number;
  published: number;
  /** Published readings whose test ended within the first 40 s of the cycle. */
  in40s: number;
  maxErr: number;
  meanErr: number;
  p90Err: number;
  /** Published readings more than 3 % off the truth. */
  over3: number;
  cycleS: number;
  floorS: number;
  wallS: number;
  rssMB: number;
  interference: RunnerRun['report']['interference'];
  load: number[];
  /** The worst published readings, for the notes. */
  worst: string[];
}

const MODES: { mode: DuplexRow['mode']; args: string[]; floor: (n: number) => number }[] = [
  { mode: 'full duplex (old)', args: ['--interference', 'off'], floor: fullDuplexFloorS },
  { mode: 'exclusive', args: ['--exclusive', '--interference', 'off'], floor: exclusiveFloorS },
  { mode: 'full duplex + re-test (new)', args: [], floor: fullDuplexFloorS },
];

export async function duplexBench(egress: Egress, log: (s: string) => void, modes = MODES.map((m) => m.mode)): Promise<DuplexRow[]> {
  const name = egress === 'fifo' ? 'dxbf' : 'dxbi';
  const scratch = mkdtempSync(join(tmpdir(), 'iperf3-duplex-'));
  log(`duplex N=${DUPLEX_N} ${egress}: lab up`);
  const lab = await labUp({ name, nodes: DUPLEX_N, nicMbit: DUPLEX_NIC_MBIT, slow: [], port: 5201, pushgateway: true, egress });
  const rows: DuplexRow[] = [];
  try {
    const base = ['--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', String(D), '--omit', '0'];
    for (const { mode, args, floor } of MODES.filter((m) => modes.includes(m.mode))) {
      log(`duplex N=${DUPLEX_N} ${egress}: ${mode}`);
      const load = loadavg();
      const run = await runRunner([...base, '--concurrency', String(C), '--pushgateway', lab.pushgatewayUrl!, ...args], scratch);
      rows.push(row(egress, mode, run, floor(DUPLEX_N), load));
    }
  } finally {
    log(`duplex N=${DUPLEX_N} ${egress}: down`);
    await labDown(name);
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

function row(egress: Egress, mode: DuplexRow['mode'], run: RunnerRun, floorS: number, load: number[]): DuplexRow {
  const truth = TCP_EFFICIENCY * DUPLEX_NIC_MBIT;
  const { report } = run;
  const start = Date.parse(report.started_at);
  const published = report.pairs.filter((p) => p.bandwidth_mbps !== null);
  const errors = published.map((p) => Math.abs(p.bandwidth_mbps! - truth) / truth).sort((a, b) => a - b);
  const ended = (p: (typeof published)[number]) => Date.parse(p.started_at!) + p.duration_s! * 1000 - start;
  const worst = [...published]
    .sort((a, b) => a.bandwidth_mbps! - b.bandwidth_mbps!)
    .slice(0, 3)
    .map((p) => `${p.source_node}→${p.destination_node} ${p.bandwidth_mbps!.toFixed(1)} (${p.quality})`);
  return {
    egress,
    mode,
    pairs: report.summary.pairs,
    published: published.length,
    in40s: published.filter((p) => ended(p) <= WINDOW_S * 1000).length,
    maxErr: errors.at(-1) ?? NaN,
    meanErr: errors.reduce((a, b) => a + b, 0) / errors.length,
    p90Err: errors[Math.floor(errors.length * 0.9)] ?? NaN,
    over3: errors.filter((e) => e > 0.03).length,
    cycleS: report.duration_s,
    floorS,
    wallS: run.wallS,
    rssMB: run.maxRssMB,
    interference: report.interference,
    load,
    worst,
  };
}
