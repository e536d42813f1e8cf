import { setMaxListeners } from 'node:events';
import { scaleZoned } from '/work/wt/plan-bounds/test/bench/scale.ts';
setMaxListeners(0);
const [n, z, s] = process.argv.slice(2).map(Number);
const t = performance.now();
console.log(JSON.stringify(await scaleZoned(n!, z!, s!)), ((performance.now() - t) / 1000).toFixed(1), 's');
