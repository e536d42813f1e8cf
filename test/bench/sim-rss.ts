import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import pino from 'pino';
import { planPairs } from '../../src/plan/pairs.ts';
import { runSchedule } from '../../src/schedule/scheduler.ts';
import { failurePolicy } from '../../src/failure/policy.ts';
import { retestSuspects } from '../../src/run/retest.ts';
import { runRegistry, sourceRegistries } from '../../src/metrics/registries.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import type { Pair, TestOutcome } from '../../src/model/types.ts';
import { servers } from './sim-iperf3.ts';

// Peak RSS of one whole simulated cycle at N nodes, in a process of its own (run as a child by the
// bench: `node --import tsx test/bench/sim-rss.ts N`): plan, full-duplex schedule on a virtual clock,
// the interference check and its re-tests, the registries and their exposition text. Every test whose
// source is receiving reads 0–20 % low (a FIFO cluster). Prints one JSON line.

const D = 2000;
const TRUTH = 47.8;

async function cycle(n: number) {
  const clock = new VirtualClock(1.7e12);
  const receiving = new Map<string, number>();
  let seed = 1;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  const runTest = async (pair: Pair, signal: AbortSignal): Promise<TestOutcome> => {
    receiving.set(pair.destination.node, (receiving.get(pair.destination.node) ?? 0) + 1);
    const disturbed = (receiving.get(pair.source.node) ?? 0) > 0;
    try {
      await clock.sleep(D, signal);
    } finally {
      receiving.set(pair.destination.node, receiving.get(pair.destination.node)! - 1);
    }
    const low = disturbed ? random() * 0.2 : 0;
    return { ok: true, measurement: { bandwidthMbps: TRUTH * (1 - low) * (1 + (random() - 0.5) * 0.004), retransmits: 0, rttSeconds: 0.01 } };
  };
  const pairs = planPairs(servers(n), { mode: 'mesh', protocols: ['tcp'] });
  const schedule = { concurrency: n, expectedMs: D + 500, policy: failurePolicy({ retries: 3 }) };
  const first = await clock.run(runSchedule(pairs, { ...schedule, exclusive: false }, { clock, runTest }));
  const options = { maxRetests: Math.ceil(pairs.length / 2), tolerance: 0.025, schedule };
  const { results, summary } = await clock.run(retestSuspects(first, options, { clock, log: pino({ level: 'silent' }), runTest }));
  const sources = sourceRegistries(results);
  let bytes = 0;
  for (const registry of sources.values()) bytes += (await registry.metrics()).length;
  bytes += (await runRegistry(results, { durationS: 1, servers: n, endedAt: clock.now() }).metrics()).length;
  return { tests: pairs.length, summary, bytes, virtualS: (clock.now() - 1.7e12) / 1000 };
}

setMaxListeners(0); // the virtual clock's sleeps share one abort signal per schedule (see main.ts)
if (process.argv[2] === 'baseline') {
  console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else if (process.argv[2] !== undefined && !process.argv[2].startsWith('-')) {
  const out = await cycle(Number(process.argv[2]));
  console.log(JSON.stringify({ ...out, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

/** Runs the simulation at N in a child process; also the bare child (tsx, imports) as a baseline. */
export function simRss(n: number): { n: number; maxRssMB: number; baselineMB: number; tests: number; retested: number; suspected: number; virtualS: number } {
  const run = (arg: string) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'test/bench/sim-rss.ts', arg], { encoding: 'utf8' })) as Record<string, unknown>;
  const out = run(String(n)) as { maxRssMB: number; tests: number; summary: { retested: number; suspected: number }; virtualS: number };
  const base = run('baseline') as { maxRssMB: number };
  return { n, maxRssMB: out.maxRssMB, baselineMB: base.maxRssMB, tests: out.tests, retested: out.summary.retested, suspected: out.summary.suspected, virtualS: out.virtualS };
}
