import type { Pair, Server, TestOutcome } from '../../src/model/types.ts';
import type { VirtualClock } from '../support/virtual-clock.ts';
import { expectedTestMs, testTimeoutMs, type IperfOptions } from '../../src/iperf/client-args.ts';
import { rng } from './rng.ts';

// A simulated iperf3 client, because a 1000-node mesh does not fit on one machine: each test takes
// D ± jitter of virtual time (D from the runner's defaults), a few fail fast, a few first attempts
// find the server busy, rare ones hang until the runner's per-test timeout, and `hungNodes` servers
// hang every test (a SIGSTOPped server). It sleeps without the abort signal: VirtualClock.sleep never
// removes its abort listener, and Node's EventTarget walks every listener on each add, so a
// million sleeps on one shared signal would cost O(k²) (measured in the bench as its own row).

export const SIM_IPERF: IperfOptions = { durationS: 5, omitS: 1, parallel: 1, udpBitrate: '100M', connectTimeoutS: 3 };
export const SIM_D_MS = expectedTestMs(SIM_IPERF) - 500; // the test itself: duration + omit
export const SIM_TIMEOUT_MS = testTimeoutMs(SIM_IPERF);

export interface SimFaults {
  jitter: number;
  failRate: number;
  busyRate: number;
  hangRate: number;
  hungNodes: number;
}

export const CLEAN: SimFaults = { jitter: 0.05, failRate: 0, busyRate: 0, hangRate: 0, hungNodes: 0 };
export const FAULTY = (n: number): SimFaults => ({ jitter: 0.05, failRate: 0.005, busyRate: 0.002, hangRate: 0.0001, hungNodes: Math.max(1, Math.floor(n / 100)) });

export function servers(n: number): Server[] {
  const w = String(n).length;
  return Array.from({ length: n }, (_, i) => ({ node: `node-${String(i).padStart(w, '0')}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 5201 }));
}

export interface SimIperf3 {
  runTest: (pair: Pair, signal: AbortSignal) => Promise<TestOutcome>;
  tests: () => number;
  /**
   * A lower bound on any schedule of the tests this run made, from their simulated durations: the
   * busiest sender, the busiest receiver, or all of it spread over `c` slots.
   */
  lowerBoundMs: (c: number) => number;
  /** The nodes whose server hangs every test. */
  hungNodes: ReadonlySet<string>;
}

/** `withSignal`: pass the scheduler's signal to the clock, as a faithful client would. */
export function simIperf3(clock: VirtualClock, n: number, f: SimFaults, seed: number, sample: () => void, withSignal = false): SimIperf3 {
  const rand = rng(seed);
  const hung = new Set<string>();
  for (let k = 0; k < f.hungNodes; k++) hung.add(servers(n)[Math.floor(((k + 0.5) * n) / f.hungNodes)]!.node);
  const tried = new Set<Pair>();
  let count = 0;
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  let total = 0;
  const spend = (pair: Pair, ms: number, signal: AbortSignal) => {
    sent.set(pair.source.node, (sent.get(pair.source.node) ?? 0) + ms);
    received.set(pair.destination.node, (received.get(pair.destination.node) ?? 0) + ms);
    total += ms;
    return clock.sleep(ms, withSignal ? signal : undefined);
  };
  const runTest = async (pair: Pair, signal: AbortSignal): Promise<TestOutcome> => {
    const sleep = (ms: number, s: AbortSignal) => spend(pair, ms, s);
    if (++count % 4096 === 0) sample();
    const first = !tried.has(pair);
    tried.add(pair);
    const r = rand();
    try {
      if (hung.has(pair.destination.node) || r < f.hangRate) {
        await sleep(SIM_TIMEOUT_MS, signal);
        return { ok: false, kind: 'timeout', message: `no result within ${SIM_TIMEOUT_MS / 1000} s` };
      }
      if (r < f.hangRate + f.failRate) {
        await sleep(200, signal);
        return { ok: false, kind: 'iperf-error', message: 'unable to receive results' };
      }
      if (first && r < f.hangRate + f.failRate + f.busyRate) {
        await sleep(20, signal);
        return { ok: false, kind: 'busy', message: 'the server is busy running a test. try again later' };
      }
      await sleep(SIM_D_MS * (1 + f.jitter * (2 * rand() - 1)), signal);
    } catch {
      return { ok: false, kind: 'aborted', message: 'aborted' };
    }
    return { ok: true, measurement: { bandwidthMbps: 9400 + 100 * rand(), retransmits: Math.floor(10 * rand()), rttSeconds: 0.0002 } };
  };
  const max = (m: Map<string, number>) => [...m.values()].reduce((a, b) => Math.max(a, b), 0);
  return { runTest, tests: () => count, hungNodes: hung, lowerBoundMs: (c) => Math.max(max(sent), max(received), total / c) };
}
