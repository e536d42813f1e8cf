import { setMaxListeners } from 'node:events';
import { coverage } from './coverage.ts';
import { scaleCoverage, scaleZoned } from './scale.ts';
setMaxListeners(0);
const what = process.argv[2];
if (what === 'cov')
  for (const [n, b, f] of [
    [100, 1000, 'clean'],
    [100, 1000, 'faulty'],
    [300, 10000, 'clean'],
    [300, 10000, 'faulty'],
  ] as const) {
    const c = await coverage(n, b, f);
    console.log(
      JSON.stringify({
        n,
        b,
        f,
        bound: c.bound,
        fullAt: c.fullAt,
        unreach: c.unreachablePerRun,
        curve: (f === 'clean' ? c.covered : c.coveredHealthy)
          .map((v) => Math.round((100 * v) / (f === 'clean' ? c.pairs : c.healthyPairs)))
          .join(' '),
        healthy: c.healthyPairs,
      }),
    );
  }
if (what === 'scale') for (const n of process.argv.slice(3).map(Number)) console.log(JSON.stringify(await scaleCoverage(n)));
if (what === 'zoned')
  for (const [n, z] of [
    [100, 4],
    [300, 3],
  ])
    console.log(JSON.stringify(await scaleZoned(n!, z!, 0.5)));
