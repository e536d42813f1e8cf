import { mkdirSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { machine, load } from './machine.ts';
import { table, f, pct, x } from './table.ts';
import { labBench, D, NIC_MBIT, TCP_EFFICIENCY, TEST_TIMEOUT_S, type LabResult } from './lab-bench.ts';
import { startupRows, type StartupRow } from './startup.ts';
import { simCycle, planTime, payload, type SimRow, type PlanRow, type PayloadRow } from './sim.ts';
import { gatewayCost, type GatewayRow } from './gateway-cost.ts';
import { coverage, type CoverageCurve } from './coverage.ts';
import { budgetSelectTime } from './select-time.ts';
import { pairSeriesCost, stateReadCost, type PairSeriesCostRow, type StateReadRow } from './pair-series-cost.ts';
import { scaleCoverage, scaleZoned, CHART, floors, type ScaleRow, type ZonedRow } from './scale.ts';
import { discoveryAtScale, type DiscoveryRow } from './discovery.ts';
import { SIM_D_MS, SIM_TIMEOUT_MS } from './sim-iperf3.ts';
import { constants } from 'node:buffer';
import { duplexBench, DUPLEX_N, DUPLEX_NIC_MBIT, type DuplexRow } from './duplex-bench.ts';
import { simRss } from './sim-rss.ts';

// `npm run bench`: the runner's speed, accuracy and cost measured side by side in one run — the real
// lab (root: network namespaces, htb, iperf3 3.12, a Pushgateway) against its physical floor and a
// sequential baseline, and the planner/scheduler/metrics at scale on a virtual clock. Prints tables,
// writes bench-results/latest.json (+ latest.txt). Flags: --quick (simulation only, N ≤ 300),
// --sim-only, --lab-only, --full (adds the slow N = 1000 rows).

const argv = new Set(process.argv.slice(2));
const quick = argv.has('--quick');
const full = argv.has('--full');
const duplexOnly = argv.has('--duplex-only');
const doLab = !argv.has('--sim-only') && !quick && !duplexOnly;
const doSim = !argv.has('--lab-only') && !duplexOnly;
const doDuplex = !argv.has('--sim-only') && !quick;
const progress = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

// The scheduler's own timers (busy back-off) sleep on one signal; on the virtual clock those
// listeners stay until the cycle ends. Not a leak in the real runner; silence the warning here.
setMaxListeners(0);

const t0 = performance.now();
const started = new Date();
const mach = machine();
const loadStart = load();
const out: string[] = [];
const print = (s: string) => {
  out.push(s);
  process.stdout.write(s + '\n');
};
const goals: { goal: string; met: boolean; value: string }[] = [];
const goal = (g: string, met: boolean, value: string) => goals.push({ goal: g, met, value });

print(
  `iperf3-monitor bench — ${started.toISOString()}\n` +
    `machine: ${mach.nproc}× ${mach.cpu}, ${mach.memGB} GB, Linux ${mach.kernel}, node ${mach.node}, ${mach.iperf3}\n` +
    `load average (1/5/15 min) at start: ${loadStart.join(' ')} — the machine is shared; wall times include that load\n`,
);

// ---- Real lab ----------------------------------------------------------------------------------
const labs: LabResult[] = [];
let startup: StartupRow[] = [];
let labSkipped: string | undefined;
if (doLab) {
  if (process.getuid?.() !== 0) labSkipped = 'not root: the lab needs network namespaces and tc';
  else {
    progress('node start-up of the bundle');
    startup = await startupRows(7);
    for (const n of [5, 8]) labs.push(await labBench(n, progress));
  }
}
if (labs.length > 0) {
  const slow = labs.map((l) => `N=${l.n}: ${l.slow.join(', ')}`).join('; ');
  print(
    table(
      `1. Cycle time of a full mesh on the lab (D = ${D} s, omit 0, TCP; NIC ${NIC_MBIT} Mbit/s, slow pairs ${slow})`,
      ['N', 'tests', 'floor s', 'default (c=8) s', 'ratio', 'sequential s', 'seq floor s', 'seq ratio', 'speed-up', 'process wall s', 'load 1m'],
      labs.map((l) => [
        String(l.n),
        l.concurrent.pairs,
        f(l.floorS, 1),
        f(l.concurrent.cycleS),
        x(l.concurrent.ratio),
        f(l.sequential.cycleS),
        f(l.seqFloorS, 1),
        x(l.sequential.cycleS / l.seqFloorS),
        `${f(l.sequential.cycleS / l.concurrent.cycleS, 2)}×`,
        f(l.concurrent.wallS),
        f(l.load.before[0]!, 1),
      ]),
      'floor = (N−1)·D (c ≥ N) or ⌈N(N−1)/c⌉·D; cycle = the runner\'s own duration_s (first test start → last test end);\n' +
        'process wall adds start-up, reading the gateway, the push and exit. The stamp.sh-instrumented run: ' +
        labs.map((l) => `N=${l.n} ${f(l.instrumented.cycleS)} s (${x(l.instrumented.ratio)})`).join(', ') + '.',
    ),
  );
  for (const l of labs) goal(`cycle ratio ≤ 1.10 (N=${l.n})`, l.concurrent.ratio <= 1.1, x(l.concurrent.ratio));

  print(
    table(
      `2. Accuracy: each pair's concurrent reading vs its solo reading (sequential run) and vs the shaped truth (${TCP_EFFICIENCY} × rate)`,
      ['N', 'pairs', 'max vs solo', 'mean vs solo', 'max vs truth', 'mean vs truth', 'solo: max vs truth', 'failed', 'busy failures', 'retried tests (per run)'],
      labs.map((l) => [
        String(l.n),
        l.accuracy.pairs.length,
        pct(l.accuracy.maxVsSolo),
        pct(l.accuracy.meanVsSolo, 2),
        pct(l.accuracy.maxVsTruth),
        pct(l.accuracy.meanVsTruth, 2),
        pct(l.accuracy.maxSoloVsTruth),
        l.accuracy.failed,
        l.busy.failures,
        `${l.busy.retries} (c ${l.concurrent.retried}, i ${l.instrumented.retried}, s ${l.sequential.retried}, f ${l.faults.retried})`,
      ]),
      'error = |reading − reference| / reference. "solo: max vs truth" is the sequential baseline\'s own spread: when it is large,\n' +
        'the vs-solo column measures the solo run\'s noise as much as the concurrent run\'s. Retried tests: needed a 2nd attempt (busy, refused)\n' +
        '(c = default run, i = instrumented, s = sequential, f = faults).' +
        labs
          .flatMap((l) => [l.concurrent, l.instrumented, l.sequential, l.faults].flatMap((r, i) => r.retriedPairs.map((p) => `\nN=${l.n} ${'cisf'[i]}: ${p}`)))
          .join(''),
    ),
  );
  for (const l of labs) {
    goal(`max error vs shaped truth ≤ 3 % (N=${l.n})`, l.accuracy.maxVsTruth <= 0.03, pct(l.accuracy.maxVsTruth));
    goal(`max error vs solo reading ≤ 3 % (N=${l.n})`, l.accuracy.maxVsSolo <= 0.03, `${pct(l.accuracy.maxVsSolo)} (solo itself up to ${pct(l.accuracy.maxSoloVsTruth)} off truth)`);
  }
  const busyTotal = labs.reduce((a, l) => a + l.busy.failures, 0);
  goal('0 busy errors', busyTotal === 0, `${busyTotal} busy failures over all lab runs; retried tests: ${labs.reduce((a, l) => a + l.concurrent.retried + l.instrumented.retried + l.sequential.retried, 0)} in normal runs, ${labs.reduce((a, l) => a + l.faults.retried, 0)} in fault runs`);

  print(
    table(
      '3a. Overhead per run (instrumented run: the client command wrapped by test/bench/stamp.sh)',
      ['N', 'start → 1st iperf3 ms', '→ discovered', '→ planned', '→ spawned', 'outside iperf3 / test ms', 'sender gap / test ms', 'wall − cycle s', 'peak RSS MB'],
      labs.map((l) => [
        String(l.n),
        f(l.overhead.startToFirstSpawnMs, 0),
        f(l.overhead.startParts.toDiscoveredMs, 0),
        f(l.overhead.startParts.toPlannedMs, 0),
        f(l.overhead.startParts.toSpawnMs, 0),
        f(l.overhead.perTestOutsideMs, 1),
        f(l.overhead.perSenderGapMs, 1),
        f(l.overhead.outsideCycleS),
        f(Math.max(l.concurrent.maxRssMB, l.instrumented.maxRssMB, l.sequential.maxRssMB, l.faults.maxRssMB), 1),
      ]),
      'start = the parent\'s spawn of the runner; parts from the runner\'s own log lines ("servers discovered", "cycle planned").\n' +
        'outside iperf3 / test = the runner\'s test duration − the client command\'s lifetime (ip netns exec + iperf3): spawn, exit, parse.\n' +
        'sender gap / test = (cycle − Σ that sender\'s client lifetimes) / (N−1), mean over senders: waiting for a free receiver + overhead.\n' +
        'peak RSS = GNU time\'s maximum resident set size of the runner, max over the 4 runs of that N.',
    ),
  );
  print(
    table(
      '3b. Node start-up of the bundle vs bare node (median of 7; what-ifs built in a temp dir, src/ untouched)',
      ['what', 'wall ms', 'CPU ms', 'RSS MB'],
      startup.map((s) => [s.what, f(s.ms, 0), f(s.cpuMs, 0), f(s.rssMB, 1)]),
    ),
  );
  for (const l of labs) goal(`start → first iperf3 ≤ 300 ms (N=${l.n})`, l.overhead.startToFirstSpawnMs <= 300, `${f(l.overhead.startToFirstSpawnMs, 0)} ms`);
  const rss = Math.max(...labs.flatMap((l) => [l.concurrent.maxRssMB, l.instrumented.maxRssMB, l.sequential.maxRssMB, l.faults.maxRssMB]));
  goal('peak RSS ≤ 120 MB', rss <= 120, `${f(rss, 1)} MB`);

  print(
    table(
      `4. Faults: n4's server SIGKILLed, n2's SIGSTOPped (one test timeout = ${TEST_TIMEOUT_S} s)`,
      ['N', 'cycle s', 'floor s', 'ratio vs floor', 'floor + timeout s', 'ratio vs floor + timeout', 'ok', 'failed', 'failed destinations', 'failure kinds'],
      labs.map((l) => [
        String(l.n),
        f(l.faults.cycleS),
        f(l.faults.floorS, 1),
        x(l.faults.cycleS / l.faults.floorS),
        f(l.faults.floorPlusTimeoutS, 1),
        x(l.faults.cycleS / l.faults.floorPlusTimeoutS),
        l.faults.success,
        l.faults.failure,
        l.faults.failedDestinations.join(' '),
        Object.entries(l.faults.failureKinds).map(([k, v]) => `${k} ${v}`).join(', '),
      ]),
    ),
  );
  for (const l of labs) goal(`faults cost ≤ one timeout (N=${l.n})`, l.faults.cycleS <= l.faults.floorPlusTimeoutS, `${f(l.faults.cycleS)} s vs ${f(l.faults.floorPlusTimeoutS, 1)} s`);
} else if (doLab) {
  print(`1–4. Lab skipped: ${labSkipped}\n`);
}

// ---- Full duplex vs exclusive at 24 nodes, both egress kinds (issue 16) ---------------------------
const duplex: DuplexRow[] = [];
let duplexSim: ReturnType<typeof simRss> | undefined;
if (doDuplex && process.getuid?.() === 0) {
  for (const egress of ['fifo', 'isolated'] as const) duplex.push(...(await duplexBench(egress, progress)));
  print(
    table(
      `9. Full duplex vs exclusive: N=${DUPLEX_N}, ${DUPLEX_NIC_MBIT} Mbit/s per node, no slow pairs, D = 2 s, concurrency 24; error = |published − truth| / truth, truth = ${TCP_EFFICIENCY} × rate`,
      ['egress', 'mode', 'published', 'in 40 s', 'max err', 'mean err', 'p90 err', '> 3 %', 'cycle s', 'floor s', 'cycle/floor', 'wall/floor', 'RSS MB', 'suspected/re-tested/confirmed/left', 're-test s', 'load 1m'],
      duplex.map((r) => [
        r.egress,
        r.mode,
        `${r.published}/${r.pairs}`,
        r.in40s,
        pct(r.maxErr),
        pct(r.meanErr, 2),
        pct(r.p90Err),
        r.over3,
        f(r.cycleS, 1),
        f(r.floorS, 0),
        x(r.cycleS / r.floorS),
        x(r.wallS / r.floorS),
        f(r.rssMB, 0),
        r.interference ? `${r.interference.suspected}/${r.interference.retested}/${r.interference.confirmed}/${r.interference.unresolved}` : '–',
        r.interference ? f(r.interference.retest_s, 1) : '–',
        f(r.load[0]!, 1),
      ]),
      'floor: full duplex (N−1)·D = 46 s; exclusive ⌈N(N−1)/(N/2)⌉·D = 92 s. "in 40 s": published readings whose test ended in the first 40 s.\n' +
        'worst published: ' +
        duplex.map((r) => `${r.egress}/${r.mode.split(' (')[0]}: ${r.worst.join(', ')}`).join('; '),
    ),
  );
  for (const r of duplex.filter((row) => row.mode !== 'full duplex (old)')) {
    goal(`every published reading within 3 % of the truth (${r.egress}, ${r.mode})`, r.maxErr <= 0.03, `max ${pct(r.maxErr)}, ${r.over3} over 3 %`);
  }
  for (const r of duplex.filter((row) => row.mode === 'full duplex + re-test (new)')) {
    const limit = r.egress === 'isolated' ? 1.2 : 2;
    goal(`cycle ≤ ${limit}× the full-duplex floor (${r.egress}, new)`, r.cycleS <= limit * r.floorS, x(r.cycleS / r.floorS));
    goal(`whole-process wall ≤ 1.10× the floor it chose (${r.egress}, new: full duplex)`, r.wallS <= 1.1 * r.floorS, x(r.wallS / r.floorS));
  }
  const rssMax = Math.max(...duplex.map((r) => r.rssMB));
  goal(`peak RSS ≤ 120 MB (N=${DUPLEX_N})`, rssMax <= 120, `${f(rssMax, 0)} MB`);
}
if (doDuplex || duplexOnly) {
  progress('simulated cycle with re-tests at N=100: peak RSS');
  const sim = simRss(100);
  print(
    `9b. Simulated whole cycle at N=${sim.n} (virtual clock, FIFO-like interference, re-tests, registries): peak RSS ${f(sim.maxRssMB, 0)} MB ` +
      `(the bare tsx process: ${f(sim.baselineMB, 0)} MB); ${sim.tests} tests, ${sim.suspected} suspected, ${sim.retested} re-tested\n`,
  );
  goal('peak RSS ≤ 120 MB (N=100, simulation)', sim.maxRssMB <= 120, `${f(sim.maxRssMB, 0)} MB`);
  duplexSim = sim;
}

// ---- Scale simulation --------------------------------------------------------------------------
const sims: SimRow[] = [];
const plans: PlanRow[] = [];
const payloads: PayloadRow[] = [];
const gateways: GatewayRow[] = [];
const curves: CoverageCurve[] = [];
let select: { n: number; pairs: number; budget: number; ms: number } | undefined;
if (doSim) {
  const grid: [number, number, 'clean' | 'faulty'][] = [];
  const ns = quick ? [10, 100, 300] : [10, 100, 300, 1000];
  for (const n of ns) {
    const caps = n === 10 ? [2, 8, 10] : n === 1000 ? [8, 1000] : [8, 32, n];
    for (const c of caps) {
      if (n === 1000 && !full) grid.push([n, c, c === 8 ? 'faulty' : 'clean']);
      else grid.push([n, c, 'clean'], [n, c, 'faulty']);
    }
  }
  for (const [n, c, fl] of grid) {
    progress(`sim N=${n} c=${c} ${fl}`);
    sims.push(await simCycle(n, c, fl));
  }
  progress('sim N=100 c=100 clean, client passing the abort signal to VirtualClock.sleep');
  sims.push(await simCycle(100, 100, 'clean', 1, true));
  print(
    table(
      `5. Scale simulation: real planner + scheduler, virtual clock, simulated iperf3 (D = ${SIM_D_MS / 1000} s ±5 %, timeout ${SIM_TIMEOUT_MS / 1000} s)`,
      ['N', 'c', 'faults', 'tests', 'cycle (virtual) s', 'floor s', 'ratio', 'vs lower bound', 'vs floor+timeout', 'ok', 'failed', 'skipped (down)', 'CPU ms', 'baseline CPU ms', 'sched µs/test', 'heap peak MB'],
      sims.map((s) => [
        String(s.n),
        s.c,
        s.faults + (s.withSignal ? '+signal' : ''),
        s.tests,
        f(s.cycleS, 0),
        f(s.floorS, 0),
        x(s.ratio),
        x(s.lbRatio),
        x(s.timeoutRatio),
        s.success,
        s.failure,
        s.unreachable,
        f(s.cost.cpuMs, 0),
        f(s.baseline.cpuMs, 0),
        s.tests < 1000 ? '–' : f(s.schedUsPerTest, 2),
        f(s.cost.heapPeakMB, 0),
      ]),
      'faulty = 0.5 % fast failures, 0.2 % busy first attempts, 0.01 % transient hangs, and max(1, N/100) servers hung (SIGSTOP-like).\n' +
        'lower bound = max(busiest sender, busiest receiver, all work / c) over the simulated durations of the tests actually made.\n' +
        'baseline = the same simulated tests through the same virtual clock by a plain c-worker pool, no scheduler (same run);\n' +
        'sched µs/test = (CPU − baseline CPU) / tests (– below 1000 tests: under the CPU clock\'s resolution). "+signal": the simulated client passes the scheduler\'s signal to\n' +
        'VirtualClock.sleep (one abort listener per sleep, removed when it ends): the cost of cancellable tests.',
    ),
  );

  progress('planning time');
  for (const n of [10, 100, 300, 1000]) plans.push(planTime(n));
  progress('budget choice time N=1000');
  select = budgetSelectTime(1000, 100_000);
  print(
    table(
      '6. Planning a full mesh (planPairs, median of 3) and choosing a budget (runOrder + --max-pairs, every pair timestamped)',
      ['N', 'pairs', 'plan tcp ms', 'plan tcp+udp ms'],
      plans.map((p) => [String(p.n), p.pairs, f(p.planMs, 1), f(p.planBothMs, 1)]),
      `runOrder + budget N=${select.n} (${select.pairs} pairs, budget ${select.budget}): ${f(select.ms, 0)} ms`,
    ),
  );
  const p1000 = plans.find((p) => p.n === 1000)!;
  goal('planning N=1000 < 1 s', p1000.planMs < 1000 && p1000.planBothMs < 1000, `${f(p1000.planMs, 0)} ms (tcp), ${f(p1000.planBothMs, 0)} ms (tcp+udp)`);

  progress('push payload');
  for (const [n, protos] of [
    [10, ['tcp']],
    [100, ['tcp']],
    [100, ['tcp', 'udp']],
    [300, ['tcp']],
    [1000, ['tcp']],
    [1000, ['tcp', 'udp']],
  ] as [number, ('tcp' | 'udp')[]][]) {
    payloads.push(await payload(n, protos, 20));
  }
  progress('Pushgateway round trip');
  for (const n of [100, 1000]) gateways.push(await gatewayCost(n, 5));
  const perPair = gateways.find((g) => g.n === 1000)!.textBytesPerGroup / 999;
  const maxStr = constants.MAX_STRING_LENGTH;
  const limitN = Math.ceil((1 + Math.sqrt(1 + (4 * maxStr) / perPair)) / 2);
  print(
    table(
      '7. Push payload per source group (real registries from src/metrics/registries.ts; every pair succeeded)',
      ['N', 'protocols', 'group KB', 'samples/group', 'all groups MB/run', 'build all ms', 'render all ms', 'registries heap MB'],
      payloads.map((p) => [String(p.n), p.protocols, f(p.groupBytes / 1024, 1), p.samplesPerGroup, f(p.totalMB, 1), f(p.buildMs, 0), f(p.renderMs, 0), f(p.heapMB, 0)]),
      'build/render/heap for all N groups extrapolated from 20 sampled source groups where N > 20.\n' +
        'Real prometheus-pushgateway on loopback, 5 TCP groups PUT then read back as every run does (streaming /metrics → readGatewayState):\n' +
        gateways
          .map((g) => `N=${g.n}: PUT ${f(g.putMsPerGroup, 0)} ms/group; /metrics text ${f(g.textBytesPerGroup / 1024, 0)} KB/group, ${f(g.textTotalMB, 0)} MB for all groups; read all ≈ ${f(g.readAllMs / 1000, 1)} s`)
          .join('\n') +
        `\nThe whole text of a full TCP mesh passes V8's max string length (${f(maxStr / 2 ** 20, 0)} MiB) from N ≈ ${limitN}; the runner reads it as a stream, line by line, so no such limit applies.`,
    ),
  );

  progress('--max-pairs coverage');
  const covSet: [number, number, 'clean' | 'faulty'][] = [
    [100, 1000, 'clean'],
    [100, 1000, 'faulty'],
    [300, 10000, 'clean'],
    [300, 10000, 'faulty'],
  ];
  if (full) covSet.push([1000, 100_000, 'clean']);
  for (const [n, b, fl] of covSet) curves.push(await coverage(n, b, fl));
  print(
    table(
      '8. --max-pairs coverage: distinct pairs with a result after run k (the runner\'s order on the timestamps earlier simulated runs produced)',
      ['N', 'budget', 'faults', 'pairs', '⌈pairs/B⌉', 'full at run', 'unreachable/run', 'covered after run 1, 2, …'],
      curves.map((c) => [
        String(c.n),
        c.budget,
        c.faults,
        c.faults === 'clean' ? c.pairs : `${c.healthyPairs} healthy`,
        c.bound,
        c.fullAt ?? 'never',
        f(c.unreachablePerRun, 0),
        (c.faults === 'clean' ? c.covered : c.coveredHealthy).map((v) => `${((100 * v) / (c.faults === 'clean' ? c.pairs : c.healthyPairs)).toFixed(0)}%`).join(' '),
      ]),
      'faulty curves count pairs into healthy servers; "unreachable" counts tests skipped as destination-down (their server judged\n' +
        "down in that run): they get no result and do not count against B (the next pair in order takes their place);\n" +
        "the next run's order counts them as judged at that run's end.",
    ),
  );
  for (const c of curves.filter((c) => c.faults === 'clean')) goal(`--max-pairs covers all pairs within ⌈pairs/B⌉ runs (N=${c.n}, B=${c.budget})`, c.fullAt !== undefined && c.fullAt <= c.bound, `full at run ${c.fullAt ?? 'never'}, bound ${c.bound}`);
  for (const c of curves.filter((c) => c.faults === 'faulty')) goal(`… with faults (N=${c.n}, B=${c.budget}, healthy pairs)`, c.fullAt !== undefined && c.fullAt <= c.bound, `full at run ${c.fullAt ?? 'never'}, bound ${c.bound}`);
}

// ---- Scale: coverage with the chart's defaults ---------------------------------------------------
const scale: (ScaleRow & { pushMB: number; series: number; pushHeapMB: number })[] = [];
const zoned: ZonedRow[] = [];
const pairSeriesCosts: PairSeriesCostRow[] = [];
const stateReads: StateReadRow[] = [];
const discovery: DiscoveryRow[] = [];
const hm = (s: number) => (Number.isFinite(s) ? `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min` : 'never');
if (doSim) {
  for (const n of quick ? [20, 100, 300] : [20, 100, 300, 1000]) {
    progress(`scale coverage N=${n}`);
    const row = await scaleCoverage(n);
    const push = await payload(n, ['tcp'], n > 300 ? 20 : n);
    scale.push({ ...row, pushMB: push.totalMB, series: push.samplesPerGroup * n, pushHeapMB: push.heapMB });
    progress(`--pair-series cost N=${n}`);
    pairSeriesCosts.push(await pairSeriesCost(n, row.testsPerRun, { totalMB: push.totalMB, series: push.samplesPerGroup * n }));
  }
  const { rounds } = floors(100);
  print(
    table(
      `9. Scale: every pair measured, with the chart's defaults (every ${CHART.intervalS} s, --deadline ${CHART.deadlineS} s, concurrency auto = N, ` +
        `D = ${SIM_D_MS / 1000} s ± 5 %; floor: ⌊W/D⌋ = ${rounds} rounds of N tests per run, ⌈(N−1)/${rounds}⌉ runs)`,
      ['N', 'pairs', 'tests/run', 'stated', 'floor', 'runs to cover', 'stated', 'floor', 'time to cover', 'floor', 'pushed MB/run', 'series/run', 'heap MB sched+push'],
      scale.map((r) => [
        String(r.n),
        r.pairs,
        r.testsPerRun,
        r.statedTestsPerRun,
        r.floorTestsPerRun,
        r.runsToCover || 'never',
        r.statedRuns,
        r.floorRuns,
        hm(r.wallToCoverS),
        hm(r.floorWallS),
        f(r.pushMB, 1),
        r.series,
        `${f(r.heapPeakMB, 0)}+${f(r.pushHeapMB, 0)}`,
      ]),
      'tests/run: the fewest any run made; stated: what the runner logs and exports at start (it counts D as 6.5 s: the test plus 0.5 s\n' +
        'to start it); time to cover: from the start of run 1 to the end of the run that measured the last pair (virtual clock).\n' +
        'pushed MB/run and series/run: the exposition of every group once every pair has a result (a PUT rewrites each group whole);\n' +
        'N = 1000 is extrapolated from 20 groups. heap: peak of one run\'s ordering and scheduling + the push registries.',
    ),
  );
  print(
    table(
      '9b. --pair-series: what one run of 9 pushes to the Pushgateway and sends by remote write, per mode (steady state: every pair has a result)',
      ['N', 'tests/run', 'mode', 'Pushgateway MB/run', 'Pushgateway series', 'remote write MB/run', 'remote-write samples/run'],
      pairSeriesCosts.flatMap((r) =>
        r.modes.map((m) => [String(r.n), r.testsPerRun, m.mode, f(m.gatewayMB, m.gatewayMB < 1 ? 2 : 1), m.gatewaySeries, f(m.remoteWriteMB, 1), m.remoteWriteSamples]),
      ),
      'Pushgateway: every source group (pushgateway, both) plus the run group, whose deadline skips are one iperf_test_skipped series per pair\n' +
        'not tried (rendered for 20 000, extrapolated); remote-write: the run group alone (run, sizing, coverage, per-node aggregates), PUT to a\n' +
        'real prometheus-pushgateway and its series counted. Remote write: protobuf WriteRequest in snappy literal blocks (no compression).',
    ),
  );
  for (const n of full ? [100, 300, 1000] : [100, 300]) {
    progress(`--pair-series remote-write state read N=${n}`);
    stateReads.push(await stateReadCost(n));
  }
  print(
    table(
      '9c. --pair-series remote-write: the next run reads every pair\'s state from a real Prometheus (remote-write receiver) by PromQL',
      ['N', 'pairs', 'write all (3 samples/pair) s', 'read state s', 'state heap MB'],
      stateReads.map((r) => [String(r.n), r.pairs, f(r.writeS, 1), f(r.readS, 1), f(r.heapMB, 0)]),
      'read state: readQueryState for every source node, 100 sources per batch, 3 queries per batch (last timestamp, last bandwidth\n' +
        'where the last test succeeded, judged-down skips), JSON parsed in the runner; Prometheus and the runner share the 2 cores.',
    ),
  );
  const goalFor = (n: number, limitS: number) => {
    const r = scale.find((s) => s.n === n);
    if (r) goal(`every pair of a ${n}-node cluster within ${hm(limitS)} (chart defaults)`, r.wallToCoverS <= limitS, `${hm(r.wallToCoverS)} (${r.runsToCover} runs; floor ${r.floorRuns})`);
  };
  goalFor(100, 1800);
  goalFor(1000, 4 * 3600);

  for (const [n, zones] of quick ? [[100, 4], [100, 3]] : [[100, 4], [300, 3], [100, 3]]) {
    progress(`zoned plan N=${n}, ${zones} zones`);
    zoned.push(await scaleZoned(n!, zones!, 0.5));
  }
  print(
    table(
      `10. The zoned plan (--cross-zone-share 0.5, zones of equal size), same simulated runs as 9`,
      ['N', 'zones', 'tests/run', 'in-zone: runs', 'stated', 'time', 'cross-zone: runs', 'stated', 'time', 'plain plan: runs'],
      zoned.map((z) => [
        String(z.n),
        z.zones,
        z.testsPerRun,
        z.inZoneRuns || 'never',
        z.statedInZoneRuns,
        hm(z.inZoneWallS),
        z.crossZoneRuns || 'never',
        z.statedCrossZoneRuns,
        hm(z.crossZoneWallS),
        scale.find((s) => s.n === z.n)?.runsToCover ?? 'n/a',
      ]),
      'stated: what the runner logs and exports (plan/zones.ts zonedCoverage for R = ⌊tests per run ÷ N⌋ = 32 whole rounds).\n' +
        'N = 100 in 3 zones has zones of 34, 33, 33 nodes: its bounds are estimates (partial rounds), not guarantees.',
    ),
  );
}

// ---- Discovery at scale against a real apiserver ------------------------------------------------
if (doSim && !quick) {
  progress('discovery of 1000 nodes against a real etcd + kube-apiserver');
  discovery.push(await discoveryAtScale(1000));
  print(
    table(
      '11. Discovery against a real etcd + kube-apiserver (objects created through the API; pages of 500; median of 3)',
      ['N', 'servers', 'pods ms', 'pods + nodes + zones ms', 'creating the objects s'],
      discovery.map((d) => [String(d.n), d.servers, f(d.podsMs, 0), f(d.podsAndNodesMs, 0), f(d.createS, 0)]),
    ),
  );
}

// ---- Goals -------------------------------------------------------------------------------------
const loadEnd = load();
print(
  table(
    'Goals',
    ['goal', 'met', 'measured'],
    goals.map((g) => [g.goal, g.met ? 'met' : 'MISSED', g.value]),
    `load average at end: ${loadEnd.join(' ')}; bench took ${f((performance.now() - t0) / 1000, 0)} s`,
  ),
);

mkdirSync('bench-results', { recursive: true });
const doc = {
  date: started.toISOString(),
  machine: mach,
  load: { start: loadStart, end: loadEnd },
  flags: [...argv],
  lab: { d: D, nicMbit: NIC_MBIT, tcpEfficiency: TCP_EFFICIENCY, testTimeoutS: TEST_TIMEOUT_S, skipped: labSkipped, startup, runs: labs },
  duplex,
  duplexSim,
  sim: { cycles: sims, planning: plans, selectBudget: select, payload: payloads, gateway: gateways, coverage: curves, scale, pairSeries: pairSeriesCosts, stateReads, zoned, discovery },
  goals,
  durationS: (performance.now() - t0) / 1000,
};
writeFileSync('bench-results/latest.json', JSON.stringify(doc, null, 2) + '\n');
writeFileSync('bench-results/latest.txt', out.join('\n'));
progress('wrote bench-results/latest.json and bench-results/latest.txt');
