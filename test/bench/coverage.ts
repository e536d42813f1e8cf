import { planPairs } from '../../src/plan/pairs.ts';
import { runOrder } from '../../src/plan/run-order.ts';
import { runSchedule } from '../../src/schedule/scheduler.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import { expectedTestMs } from '../../src/iperf/client-args.ts';
import { pairKey } from '../../src/push/previous-results.ts';
import { CLEAN, FAULTY, SIM_IPERF, servers, simIperf3 } from './sim-iperf3.ts';

// The --max-pairs coverage curve: consecutive runs, each ordering its pairs with the real runOrder
// (the scheduler tries the first B, replacing those skipped as judged down) from the iperf_test_timestamp_seconds the earlier simulated runs produced (a result
// with finishedAt > 0 gets one, exactly as sourceRegistries writes it), scheduled by the real
// scheduler on the virtual clock. Runs start every `intervalS` (a CronJob), or when the last ended.

export interface CoverageCurve {
  n: number;
  pairs: number;
  budget: number;
  faults: 'clean' | 'faulty';
  /** ⌈pairs/budget⌉: the promise. */
  bound: number;
  /** Distinct pairs with a timestamped result after run k (index k−1). */
  covered: number[];
  /** Same, counting only pairs whose destination's server is healthy (faulty curves). */
  coveredHealthy: number[];
  healthyPairs: number;
  /** First run after which every pair (healthy pair, for faulty curves) had been tested. */
  fullAt?: number;
  /** The order's wall time per run (runOrder), ms (median). */
  selectMs: number;
  /** Selected tests per run that came back unreachable (no timestamp: selected again next run). */
  unreachablePerRun: number;
}

export async function coverage(n: number, budget: number, faults: 'clean' | 'faulty', extraRuns = 1, intervalS = 600): Promise<CoverageCurve> {
  const nodes = servers(n);
  const all = planPairs(nodes, { mode: 'mesh', protocols: ['tcp'] });
  const f = faults === 'clean' ? CLEAN : FAULTY(n);
  const stamps = new Map<string, number>();
  const tested = new Set<string>();
  const bound = Math.ceil(all.length / budget);
  const covered: number[] = [];
  const coveredHealthy: number[] = [];
  const selectTimes: number[] = [];
  let unreachable = 0;
  const judged = new Map<string, number>();
  let clockAt = 1.7e12;
  // Which destinations the simulation hangs: probe once (the hung set is a function of n and f).
  const probe = simIperf3(new VirtualClock(), n, f, 0, () => {});
  const hung = probe.hungNodes;
  const healthy = (k: string) => !hung.has(k.split('\u0000')[1]!);
  const healthyPairs = all.filter((p) => !hung.has(p.destination.node)).length;
  let fullAt: number | undefined;
  for (let run = 1; run <= bound + extraRuns || (fullAt === undefined && run <= 3 * bound); run++) {
    clockAt = Math.max(clockAt, 1.7e12 + (run - 1) * intervalS * 1000);
    const t = performance.now();
    // As the runner does: a pair skipped as down in the last run counts as judged at that run's end.
    const input = { mode: 'mesh' as const, protocols: ['tcp' as const], exclusive: false, maxPairs: budget, rounds: Infinity };
    const chosen = runOrder(input, nodes, all, (p) => {
      const k = pairKey(p);
      return judged.get(k) ?? stamps.get(k);
    });
    selectTimes.push(performance.now() - t);
    const clock = new VirtualClock(clockAt);
    const sim = simIperf3(clock, n, f, run, () => {});
    const results = await clock.run(
      runSchedule(
        chosen,
        { concurrency: 8, exclusive: false, expectedMs: expectedTestMs(SIM_IPERF), policy: failurePolicy({ retries: 3 }), budget },
        { clock, runTest: sim.runTest },
      ),
    );
    clockAt = clock.now();
    judged.clear();
    for (const r of results) {
      if (r.skipped === 'destination-down' || r.skipped === 'source-down') {
        unreachable++;
        judged.set(pairKey(r.pair), clockAt / 1000);
      }
      if (r.status === 'skipped' || r.finishedAt <= 0) continue;
      const k = pairKey(r.pair);
      stamps.set(k, r.finishedAt / 1000);
      tested.add(k);
    }
    covered.push(tested.size);
    const h = [...tested].filter(healthy).length;
    coveredHealthy.push(h);
    if (fullAt === undefined && (faults === 'clean' ? tested.size === all.length : h === healthyPairs)) fullAt = run;
  }
  selectTimes.sort((a, b) => a - b);
  return {
    n,
    pairs: all.length,
    budget,
    faults,
    bound,
    covered,
    coveredHealthy,
    healthyPairs,
    ...(fullAt !== undefined ? { fullAt } : {}),
    selectMs: selectTimes[selectTimes.length >> 1]!,
    unreachablePerRun: unreachable / covered.length,
  };
}
