import { planPairs } from '../../src/plan/pairs.ts';
import { selectBudget } from '../../src/plan/budget.ts';
import { previousKey } from '../../src/push/previous-results.ts';
import { servers } from './sim-iperf3.ts';
import { rng } from './rng.ts';

// selectBudget's cost on a big mesh where every pair already has a timestamp (the steady state),
// looked up through a Map keyed like the runner's previous results.

export function budgetSelectTime(n: number, budget: number): { n: number; pairs: number; budget: number; ms: number } {
  const pairs = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const rand = rng(7);
  const stamps = new Map(pairs.map((p) => [previousKey(p.source.node, p.destination.node, p.protocol), 1.7e9 + Math.floor(rand() * 86400)]));
  const t = performance.now();
  const chosen = selectBudget(pairs, budget, (p) => stamps.get(previousKey(p.source.node, p.destination.node, p.protocol)));
  const ms = performance.now() - t;
  if (chosen.length !== budget) throw new Error(`selectBudget chose ${chosen.length}, wanted ${budget}`);
  return { n, pairs: pairs.length, budget, ms };
}
