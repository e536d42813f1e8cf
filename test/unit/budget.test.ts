import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOrder } from '../../src/plan/run-order.ts';
import { budgeted } from '../../src/run/cycle.ts';
import { planPairs } from '../../src/plan/pairs.ts';
import type { Pair } from '../../src/model/types.ts';

const servers = (n: number) => Array.from({ length: n }, (_, i) => ({ node: `n${i + 1}`, ip: `10.0.0.${i + 1}`, port: 5201 }));
const key = (p: Pair) => `${p.source.node}>${p.destination.node}`;
// The runner's own choice (run/cycle.ts): its order for the run, then the first --max-pairs of it.
const selectBudget = (all: Pair[], maxPairs: number, lastTested: (pair: Pair) => number | undefined) =>
  budgeted({ maxPairs }, runOrder({ mode: 'mesh', protocols: ['tcp'], exclusive: false, maxPairs, rounds: Infinity }, [], all, lastTested));

test('a budget of B covers every pair within ⌈pairs/B⌉ runs, then re-tests the oldest first', () => {
  for (const [n, b] of [
    [5, 3],
    [6, 7],
    [10, 25],
  ] as const) {
    const all = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
    const last = new Map<string, number>();
    const runs = Math.ceil(all.length / b);
    for (let run = 1; run <= runs; run++) {
      const chosen = selectBudget(all, b, (p) => last.get(key(p)));
      assert.equal(chosen.length, b);
      for (const p of chosen) last.set(key(p), run);
    }
    assert.equal(last.size, all.length, `N=${n} B=${b}: not covered after ${runs} runs`);
    const next = selectBudget(all, b, (p) => last.get(key(p)));
    assert.ok(next.every((p) => last.get(key(p))! <= 2), 'the next run starts again from the oldest results');
  }
});

test('never-tested pairs (a new node) come before every tested one', () => {
  const all = planPairs(servers(4), { mode: 'mesh', protocols: ['tcp'] });
  const chosen = selectBudget(all, 3, (p) => (p.source.node === 'n4' || p.destination.node === 'n4' ? undefined : 100));
  assert.ok(chosen.every((p) => p.source.node === 'n4' || p.destination.node === 'n4'));
});

test('with no results yet the chosen pairs are the first in plan order, and a budget of 0 or ≥ pairs keeps all', () => {
  const all = planPairs(servers(4), { mode: 'mesh', protocols: ['tcp'] });
  const chosen = selectBudget(all, 5, () => undefined);
  assert.deepEqual(chosen, all.slice(0, 5));
  assert.deepEqual(selectBudget(all, 0, () => 1), all);
  assert.deepEqual(selectBudget(all, 99, () => 1), all);
});
