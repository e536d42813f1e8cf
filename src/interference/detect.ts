import type { PairResult } from '../model/types.ts';
import { pairNetwork } from '../model/network.ts';

// Which full-duplex readings look corrupted by the traffic of another test. A node that sends one
// test while it receives another puts the ACKs of one test in a queue with the data of the other;
// behind a FIFO egress they wait, and a short TCP test reads low (its slow start stretches). The
// signal is the one that decides what is published: a TCP reading below what the same cycle shows the
// better of the path's two ends can carry — the best other reading out of its source or into its
// destination — taken only where one of its ends was busy in the other direction while it ran. A pair no other
// test overlapped (exclusive mode, a quiet node) is never suspected: its low reading is the path's.
// References are per network (a pod-network reading is compared with pod-network ones: the CNI's
// overhead is not interference); busy intervals are per node, whatever the network (one NIC).
// Pure: results in, suspects out.

export interface Suspect {
  /** Position in the results array. */
  index: number;
  /** The reading, Mbit/s. */
  mbps: number;
  /** max(best other reading out of the source, best other reading into the destination), Mbit/s. */
  referenceMbps: number;
}

/** A reading this far below its reference is suspected (0.025: 2.5 %). */
export const DEFAULT_TOLERANCE = 0.025;

/**
 * `timeline`: the results whose start and end times tell which tests overlapped — the first pass, when
 * `results` already holds re-tests (which replaced the times of the tests they re-tested).
 */
export function findSuspects(results: readonly PairResult[], tolerance = DEFAULT_TOLERANCE, timeline = results): Suspect[] {
  const tcp = results.flatMap((result, index) =>
    result.status === 'success' && result.pair.protocol === 'tcp'
      ? [
          {
            index,
            source: result.pair.source.node,
            destination: result.pair.destination.node,
            network: pairNetwork(result.pair),
            mbps: result.measurement.bandwidthMbps,
            from: result.startedAt,
            to: result.finishedAt,
          },
        ]
      : [],
  );
  const bestOut = topTwo(tcp, (reading) => `${reading.source}\u0000${reading.network}`);
  const bestIn = topTwo(tcp, (reading) => `${reading.destination}\u0000${reading.network}`);
  // Busy intervals per node and direction, for the overlap test.
  const receiving = intervals(timeline, (result) => result.pair.destination.node);
  const sending = intervals(timeline, (result) => result.pair.source.node);
  const suspects: Suspect[] = [];
  for (const reading of tcp) {
    const reference = Math.max(
      otherBest(bestOut.get(`${reading.source}\u0000${reading.network}`), reading.index),
      otherBest(bestIn.get(`${reading.destination}\u0000${reading.network}`), reading.index),
    );
    if (!Number.isFinite(reference) || reading.mbps >= reference * (1 - tolerance)) continue;
    const first = timeline[reading.index]!;
    if (reverseBusy({ ...reading, from: first.startedAt, to: first.finishedAt }))
      suspects.push({ index: reading.index, mbps: reading.mbps, referenceMbps: reference });
  }
  return suspects;

  function reverseBusy(reading: { index: number; source: string; destination: string; from: number; to: number }): boolean {
    return (
      overlaps(receiving.get(reading.source), reading.from, reading.to, reading.index) ||
      overlaps(sending.get(reading.destination), reading.from, reading.to, reading.index)
    );
  }
}

/**
 * Up to `size` TCP readings that another test overlapped in the other direction, no two sharing a
 * node, lowest first: re-tested alone, they calibrate the references when every reading of the cycle
 * may be corrupted alike (a FIFO cluster at full duplex leaves no clean reading to compare with).
 */
export function calibrationSample(results: readonly PairResult[], size: number, exclude: ReadonlySet<number>): number[] {
  const receiving = intervals(results, (result) => result.pair.destination.node);
  const sending = intervals(results, (result) => result.pair.source.node);
  const candidates = results
    .flatMap((result, index) =>
      result.status === 'success' && result.pair.protocol === 'tcp' && !exclude.has(index) ? [{ result, index }] : [],
    )
    .filter(
      ({ result, index }) =>
        overlaps(receiving.get(result.pair.source.node), result.startedAt, result.finishedAt, index) ||
        overlaps(sending.get(result.pair.destination.node), result.startedAt, result.finishedAt, index),
    )
    .sort((one, other) => mbps(one.result) - mbps(other.result));
  const used = new Set<string>();
  const chosen: number[] = [];
  for (const { result, index } of candidates) {
    if (chosen.length >= size) break;
    const { source, destination } = result.pair;
    if (used.has(source.node) || used.has(destination.node)) continue;
    used.add(source.node).add(destination.node);
    chosen.push(index);
  }
  return chosen;
}

const mbps = (result: PairResult) => (result.status === 'success' ? result.measurement.bandwidthMbps : 0);

interface Best {
  first: { index: number; mbps: number };
  second?: { index: number; mbps: number };
}

/** Per key, the two best readings (so that each reading can be compared with the best *other* one). */
function topTwo<T extends { index: number; mbps: number }>(readings: readonly T[], keyOf: (reading: T) => string): Map<string, Best> {
  const best = new Map<string, Best>();
  for (const reading of readings) {
    const entry = { index: reading.index, mbps: reading.mbps };
    const current = best.get(keyOf(reading));
    if (!current) best.set(keyOf(reading), { first: entry });
    else if (entry.mbps > current.first.mbps) best.set(keyOf(reading), { first: entry, second: current.first });
    else if (!current.second || entry.mbps > current.second.mbps) current.second = entry;
  }
  return best;
}

function otherBest(best: Best | undefined, index: number): number {
  if (!best) return -Infinity;
  if (best.first.index !== index) return best.first.mbps;
  return best.second?.mbps ?? -Infinity;
}

type Interval = { index: number; from: number; to: number };

function intervals(results: readonly PairResult[], nodeOf: (result: PairResult) => string): Map<string, Interval[]> {
  const byNode = new Map<string, Interval[]>();
  results.forEach((result, index) => {
    if (result.finishedAt <= result.startedAt) return; // never started
    const node = nodeOf(result);
    const list = byNode.get(node) ?? [];
    list.push({ index, from: result.startedAt, to: result.finishedAt });
    byNode.set(node, list);
  });
  return byNode;
}

/** Whether another test's interval shares more than a tenth of [from, to] (start-up and exit overlap is no load). */
function overlaps(list: readonly Interval[] | undefined, from: number, to: number, self: number): boolean {
  const least = (to - from) / 10;
  return (list ?? []).some((other) => other.index !== self && Math.min(to, other.to) - Math.max(from, other.from) > least);
}
