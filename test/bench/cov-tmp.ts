import { setMaxListeners } from 'node:events';
import { coverage } from './coverage.ts';
setMaxListeners(0);
for (const [n, b, f] of [
  [100, 1000, 'faulty'],
  [100, 1000, 'clean'],
  [300, 10000, 'faulty'],
] as const) {
  const t = performance.now();
  const c = await coverage(n, b, f);
  console.log(
    n,
    b,
    f,
    'bound',
    c.bound,
    'fullAt',
    c.fullAt,
    'unreach/run',
    c.unreachablePerRun.toFixed(1),
    (f === 'clean' ? c.covered : c.coveredHealthy).join(','),
    'healthy',
    c.healthyPairs,
    ((performance.now() - t) / 1000).toFixed(0),
    's',
  );
}
