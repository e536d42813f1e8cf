import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { serverPid } from '../support/lab-faults.ts';
import { pairCapacity } from '../../src/lab/spec.ts';
import { testTimeoutMs } from '../../src/iperf/client-args.ts';
import { readStamps, runRunner, type RunnerRun } from './runner-process.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

// The real lab: N network-namespace nodes, htb-shaped links (NIC 200 Mbit/s, two slow pairs), real
// iperf3 3.12 and a real Pushgateway. Per N, in this order: the runner at its defaults, the same run
// with the client command wrapped by stamp.sh (when each iperf3 ran), the sequential baseline
// (--concurrency 1), and the fault run (one server SIGKILLed, one SIGSTOPped).

export const D = 2;
export const NIC_MBIT = 200;
/** TCP goodput over an htb-shaped link, as a share of its rate (measured solo on this machine; see test/lab). */
export const TCP_EFFICIENCY = 0.956;
export const TEST_TIMEOUT_S = testTimeoutMs({ durationS: D, omitS: 0, parallel: 1, udpBitrate: '100M', connectTimeoutS: 3 }) / 1000;

const SLOW: Record<number, string[]> = { 5: ['n1>n2=50', 'n3>n5=100'], 8: ['n1>n2=50', 'n6>n3=100'] };

export const floorS = (n: number, c: number) => (c >= n ? (n - 1) * D : Math.ceil((n * (n - 1)) / c) * D);

export interface PairAccuracy {
  pair: string;
  truthMbps: number;
  concurrentMbps: number | null;
  soloMbps: number | null;
  /** |concurrent − solo| / solo and |concurrent − truth| / truth. */
  vsSolo: number | null;
  vsTruth: number | null;
  soloVsTruth: number | null;
}

export interface LabResult {
  n: number;
  slow: string[];
  concurrency: number;
  floorS: number;
  seqFloorS: number;
  concurrent: RunSummary;
  instrumented: RunSummary;
  sequential: RunSummary;
  faults: RunSummary & { floorS: number; floorPlusTimeoutS: number; failedDestinations: string[]; failureKinds: Record<string, number> };
  accuracy: { pairs: PairAccuracy[]; maxVsSolo: number; meanVsSolo: number; maxVsTruth: number; meanVsTruth: number; maxSoloVsTruth: number; failed: number };
  busy: { failures: number; retries: number };
  overhead: {
    /** Runner process spawn → first client command start (stamp.sh), ms. */
    startToFirstSpawnMs: number;
    /** Its parts: spawn → "servers discovered" log (node start-up, bundle load, config, targets),
     * → "cycle planned" (reading the gateway's earlier results, planning), → first client start. */
    startParts: { toDiscoveredMs: number; toPlannedMs: number; toSpawnMs: number };
    /** Mean of (the runner's test duration − the client command's lifetime), ms. */
    perTestOutsideMs: number;
    /** Mean over senders of (cycle − Σ its client lifetimes) / its tests, ms: idle + overhead per test. */
    perSenderGapMs: number;
    /** Process wall − cycle (start-up, discovery, reading the gateway, push, exit), s. */
    outsideCycleS: number;
  };
  load: { before: number[]; after: number[] };
}

export interface RunSummary {
  cycleS: number;
  wallS: number;
  ratio: number;
  maxRssMB: number;
  success: number;
  failure: number;
  pairs: number;
  /** Tests that failed as busy, and tests that needed more than one attempt (busy or refused, retried). */
  busyFailures: number;
  retried: number;
  /** Which tests needed a retry, with their final outcome. */
  retriedPairs: string[];
}

const summary = (r: RunnerRun, floor: number): RunSummary => ({
  cycleS: r.report.duration_s,
  wallS: r.wallS,
  ratio: r.report.duration_s / floor,
  maxRssMB: r.maxRssMB,
  success: r.report.summary.success,
  failure: r.report.summary.failure,
  pairs: r.report.summary.pairs,
  busyFailures: r.report.pairs.filter((p) => String(p.error).includes('busy')).length,
  retried: r.report.pairs.filter((p) => p.attempts > 1).length,
  retriedPairs: r.report.pairs.filter((p) => p.attempts > 1).map((p) => `${key(p)} ×${p.attempts} ${p.status}${p.error ? ` (${p.error})` : ''}`),
});

/** Unix ms of the runner's first log line with message `msg` (pino JSON on stderr). */
const logTime = (r: RunnerRun, msg: string): number => {
  for (const l of r.stderr.split('\n')) {
    if (!l.startsWith('{')) continue;
    const j = JSON.parse(l) as { time?: number | string; msg?: string };
    if (j.msg === msg && j.time !== undefined) return typeof j.time === 'number' ? j.time : Date.parse(j.time);
  }
  return NaN;
};

const key = (p: { source_node: string; destination_node: string }) => `${p.source_node}>${p.destination_node}`;

export async function labBench(n: number, log: (s: string) => void): Promise<LabResult> {
  const name = `bnch${n}`;
  const slow = SLOW[n] ?? ['n1>n2=50'];
  const scratch = mkdtempSync(join(tmpdir(), 'iperf3-bench-'));
  const before = loadavg();
  log(`lab N=${n}: up`);
  const lab: LabState = await labUp({ name, nodes: n, nicMbit: NIC_MBIT, slow, port: 5201, pushgateway: true });
  try {
    const base = ['--targets', lab.targetsFile, '--duration', String(D), '--omit', '0', '--pushgateway', lab.pushgatewayUrl!];
    const plain = ['--client-command', lab.clientCommand];
    const c = 8; // the runner's default --concurrency
    const floor = floorS(n, c);

    log(`lab N=${n}: full mesh at the defaults (floor ${floor} s)`);
    const conc = await runRunner([...base, ...plain], scratch);
    log(`lab N=${n}: the same, client command wrapped by stamp.sh`);
    const stampFile = join(scratch, 'stamps.log');
    const stamp = resolve('test/bench/stamp.sh');
    const inst = await runRunner([...base, '--client-command', `sh ${stamp} ${stampFile} ${lab.clientCommand}`], scratch);
    log(`lab N=${n}: sequential baseline (--concurrency 1, floor ${floorS(n, 1)} s)`);
    const seq = await runRunner([...base, ...plain, '--concurrency', '1'], scratch);

    log(`lab N=${n}: faults (n4 SIGKILL, n2 SIGSTOP)`);
    process.kill(serverPid(lab, 'n4'), 'SIGKILL');
    const stopped = serverPid(lab, 'n2');
    process.kill(stopped, 'SIGSTOP');
    let fault: RunnerRun;
    try {
      fault = await runRunner([...base, ...plain], scratch);
    } finally {
      process.kill(stopped, 'SIGCONT');
    }

    // Accuracy: each pair's concurrent reading vs its solo reading and vs the shaped truth.
    const solo = new Map(seq.report.pairs.map((p) => [key(p), p.bandwidth_mbps]));
    const rel = (x: number | null, ref: number | null) => (x === null || ref === null || ref === 0 ? null : Math.abs(x - ref) / ref);
    const pairs: PairAccuracy[] = conc.report.pairs.map((p) => {
      const truth = TCP_EFFICIENCY * pairCapacity(lab.spec, p.source_node, p.destination_node);
      const s = solo.get(key(p)) ?? null;
      return { pair: key(p), truthMbps: truth, concurrentMbps: p.bandwidth_mbps, soloMbps: s, vsSolo: rel(p.bandwidth_mbps, s), vsTruth: rel(p.bandwidth_mbps, truth), soloVsTruth: rel(s, truth) };
    });
    const stats = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null);
      return { max: v.length ? Math.max(...v) : NaN, mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN };
    };
    const vsSolo = stats(pairs.map((p) => p.vsSolo));
    const vsTruth = stats(pairs.map((p) => p.vsTruth));
    const normal = [conc, inst, seq].flatMap((r) => r.report.pairs);
    const busy = {
      failures: [...normal, ...fault.report.pairs].filter((p) => String(p.error).includes('busy')).length,
      retries: [...normal, ...fault.report.pairs].filter((p) => p.attempts > 1).length,
    };

    // Overhead, from the instrumented run.
    const stamps = readStamps(stampFile).sort((a, b) => a.startMs - b.startMs);
    const ipNode = new Map(lab.spec.nodes.map((x) => [x.ip, x.name]));
    const nsNode = new Map(lab.spec.nodes.map((x) => [x.netns, x.name]));
    const life = new Map(stamps.map((s) => [`${nsNode.get(s.netns)}>${ipNode.get(s.serverIp)}`, s.endMs - s.startMs]));
    const outside = inst.report.pairs.filter((p) => p.duration_s !== null && life.has(key(p))).map((p) => p.duration_s! * 1000 - life.get(key(p))!);
    const bySender = new Map<string, number>();
    for (const [k, ms] of life) bySender.set(k.split('>')[0]!, (bySender.get(k.split('>')[0]!) ?? 0) + ms);
    const gaps = [...bySender.values()].map((sum) => (inst.report.duration_s * 1000 - sum) / (n - 1));
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

    const failedDest = [...new Set(fault.report.pairs.filter((p) => !p.success).map((p) => p.destination_node))].sort();
    const kinds: Record<string, number> = {};
    for (const p of fault.report.pairs) if (!p.success) kinds[String(p.error).split(':')[0]!] = (kinds[String(p.error).split(':')[0]!] ?? 0) + 1;

    return {
      n,
      slow,
      concurrency: c,
      floorS: floor,
      seqFloorS: floorS(n, 1),
      concurrent: summary(conc, floor),
      instrumented: summary(inst, floor),
      sequential: summary(seq, floor),
      faults: { ...summary(fault, floor), floorS: floor, floorPlusTimeoutS: floor + TEST_TIMEOUT_S, failedDestinations: failedDest, failureKinds: kinds },
      accuracy: {
        pairs,
        maxVsSolo: vsSolo.max,
        meanVsSolo: vsSolo.mean,
        maxVsTruth: vsTruth.max,
        meanVsTruth: vsTruth.mean,
        maxSoloVsTruth: stats(pairs.map((p) => p.soloVsTruth)).max,
        failed: conc.report.summary.failure + seq.report.summary.failure,
      },
      busy,
      overhead: {
        startToFirstSpawnMs: stamps.length ? stamps[0]!.startMs - inst.spawnedAt : NaN,
        startParts: {
          toDiscoveredMs: logTime(inst, 'servers discovered') - inst.spawnedAt,
          toPlannedMs: logTime(inst, 'cycle planned') - logTime(inst, 'servers discovered'),
          toSpawnMs: (stamps[0]?.startMs ?? NaN) - logTime(inst, 'cycle planned'),
        },
        perTestOutsideMs: mean(outside),
        perSenderGapMs: mean(gaps),
        outsideCycleS: conc.wallS - conc.report.duration_s,
      },
      load: { before, after: loadavg() },
    };
  } finally {
    log(`lab N=${n}: down`);
    await labDown(name);
    rmSync(scratch, { recursive: true, force: true });
  }
}

export type { JsonReport };
