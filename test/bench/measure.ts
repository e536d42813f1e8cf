import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// CPU, wall and heap of a piece of in-process work. The heap peak is sampled by the caller's hook
// (the simulated iperf3 calls `sample()` now and then), since V8 has no per-region high-water mark.

setFlagsFromString('--expose-gc');
export const gc = runInNewContext('gc') as () => void;

export interface Cost {
  wallMs: number;
  cpuMs: number;
  /** Peak heap used above the heap at the start, MB. */
  heapPeakMB: number;
}

export async function measure<T>(work: (sample: () => void) => Promise<T>): Promise<{ value: T; cost: Cost }> {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  const sample = () => {
    const h = process.memoryUsage().heapUsed;
    if (h > peak) peak = h;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work(sample);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  sample();
  return { value, cost: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, heapPeakMB: (peak - heap0) / 2 ** 20 } };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
