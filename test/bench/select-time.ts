import { planPairs } from '../../src/plan/pairs.ts';
import { runOrder } from '../../src/plan/run-order.ts';
import { budgeted } from '../../src/run/cycle.ts';
import { pairKey } from '../../src/push/previous-results.ts';
import { servers } from './sim-iperf3.ts';
import { rng } from './rng.ts';

// The runner's choice of a budget's pairs (runOrder, then the first --max-pairs): its cost on a big mesh where every pair already has a timestamp (the steady state),
// looked up through a Map keyed like the runner's previous results.

export function budgetSelectTime(n: number, budget: number): { n: number; pairs: number; budget: number; ms: number } {
  const pairs = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const rand = rng(7);
  const stamps = new Map(pairs.map((p) => [pairKey(p), 1.7e9 + Math.floor(rand() * 86400)]));
  const t = performance.now();
  const input = { mode: 'mesh' as const, protocols: ['tcp' as const], exclusive: false, maxPairs: budget, rounds: Infinity };
  const chosen = budgeted(input, runOrder(input, [], pairs, (p) => stamps.get(pairKey(p))));
  const ms = performance.now() - t;
  if (chosen.length !== budget) throw new Error(`the budget chose ${chosen.length}, wanted ${budget}`);
  return { n, pairs: pairs.length, budget, ms };
}
