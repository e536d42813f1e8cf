import type { Protocol } from '../model/types.ts';

// What `verify` holds each pair to: absolute floors per protocol and/or a fraction of the pair's own
// baseline (its earlier bandwidth, from the Pushgateway or Prometheus). Absent fields are not checked.

export interface Floors {
  /** Mbit/s every pair of the protocol must reach. */
  minMbps: Partial<Record<Protocol, number>>;
  /** Fraction (0 < r ≤ 1) of the pair's baseline it must reach. */
  baselineRatio?: number;
}

/** Baseline Mbit/s per pair, keyed by previousKey(source, destination, protocol, network). */
export type Baseline = ReadonlyMap<string, number>;
