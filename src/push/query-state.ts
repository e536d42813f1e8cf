import { PAIR_METRICS, RUN_METRICS } from '../metrics/names.ts';
import type { Network, Protocol } from '../model/types.ts';
import { isNetwork } from '../model/network.ts';
import type { PromQuery, QueryRow } from './prometheus-query.ts';
import { previousKey, type PreviousPair } from './previous-results.ts';

// The state of --pair-series remote-write, read back from the receiver with PromQL instead of from a
// Pushgateway: per pair, when it was last measured (the least-recently-measured order, coverage) and its
// last bandwidth if that test succeeded (the per-node aggregates), and when it was last skipped because
// an end was judged down. The receiver keeps every sample with its true timestamp, so this holds across
// runner restarts as the Pushgateway's state did. Queries go by batches of source nodes: each answer
// stays a few MB however big the mesh.

export interface QueryState {
  previous: Map<string, PreviousPair>;
  judgedDown: Map<string, number>;
}

export interface QueryStateOptions {
  job: string;
  /** Source nodes whose pairs to read. */
  sources: readonly string[];
  /** Seconds back to look for the last measurement: longer than a coverage period, or the order forgets. */
  windowS: number;
  /** Seconds back a bandwidth still counts (--max-result-age). */
  valuesWindowS: number;
}

/** Source nodes per query: 100 sources of a 1000-node mesh are ~100 000 series, ~10 MB of JSON. */
export const SOURCES_PER_QUERY = 100;

const DOWN_REASONS = 'source-down|destination-down';

/** Batches in flight: the receiver evaluates each query on one core; two batches use more of a real one. */
const BATCHES_IN_FLIGHT = 2;

export async function readQueryState(query: PromQuery, options: QueryStateOptions): Promise<QueryState> {
  const state: QueryState = { previous: new Map(), judgedDown: new Map() };
  const batches: string[][] = [];
  for (let start = 0; start < options.sources.length; start += SOURCES_PER_QUERY) {
    batches.push(options.sources.slice(start, start + SOURCES_PER_QUERY));
  }
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) await readBatch(query, options, batch, state);
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, worker));
  return state;
}

async function readBatch(query: PromQuery, options: QueryStateOptions, batch: readonly string[], state: QueryState): Promise<void> {
  const selector = `job=${promqlString(options.job)},source_node=~${promqlString(batch.map(escapeRegex).join('|'))}`;
  const lastOver = (name: string, windowS: number) => `last_over_time(${name}{${selector}}[${Math.ceil(windowS)}s])`;
  // A pair is keyed by its network too (host and pod results of the same nodes are different pairs).
  const pairsOn = 'on(source_node, destination_node, protocol, network)';
  const byPair = 'max by (source_node, destination_node, protocol, network)';
  const [bandwidth, success] = [PAIR_METRICS.bandwidth.name, PAIR_METRICS.success.name];
  const [stamps, bandwidths, skips] = await Promise.all([
    // One row per pair (zone-label variants merged), without job and __name__: a third less to send.
    query(`${byPair} (${lastOver(PAIR_METRICS.timestamp.name, options.windowS)})`),
    // The last bandwidth only where the last test succeeded: a failure is no reading.
    query(`${lastOver(bandwidth, options.valuesWindowS)} and ${pairsOn} (${lastOver(success, options.valuesWindowS)} == 1)`),
    query(`${RUN_METRICS.skipped.name}{${selector},reason=~"${DOWN_REASONS}"}[${Math.ceil(options.windowS)}s]`),
  ]);
  for (const row of stamps) addStamp(state.previous, row);
  for (const row of bandwidths) addBandwidth(state.previous, row);
  for (const row of skips) addJudged(state.judgedDown, row);
}

function pairOf(row: QueryRow): { key: string; source: string; destination: string; protocol: Protocol; network: Network } | undefined {
  // Samples written before there was a network label are the host network's.
  const { source_node: source, destination_node: destination, protocol, network = 'host' } = row.metric;
  if (!source || !destination || (protocol !== 'tcp' && protocol !== 'udp') || !isNetwork(network)) return undefined;
  return { key: previousKey(source, destination, protocol, network), source, destination, protocol, network };
}

/** The latest timestamp wins: a pair whose zone labels changed has two series. */
function addStamp(previous: Map<string, PreviousPair>, row: QueryRow): void {
  const pair = pairOf(row);
  const timestamp = Number(row.value?.[1]);
  if (!pair || !Number.isFinite(timestamp)) return;
  const known = previous.get(pair.key);
  if (known && known.timestamp >= timestamp) return;
  const { source, destination, protocol, network } = pair;
  previous.set(pair.key, { source, destination, protocol, network, timestamp, values: { [PAIR_METRICS.timestamp.name]: timestamp } });
}

function addBandwidth(previous: Map<string, PreviousPair>, row: QueryRow): void {
  const pair = pairOf(row);
  const value = Number(row.value?.[1]);
  const known = pair && previous.get(pair.key);
  if (known && Number.isFinite(value)) known.values[PAIR_METRICS.bandwidth.name] = value;
}

function addJudged(judgedDown: Map<string, number>, row: QueryRow): void {
  const pair = pairOf(row);
  if (!pair) return;
  for (const [at] of row.values ?? []) judgedDown.set(pair.key, Math.max(judgedDown.get(pair.key) ?? -Infinity, Number(at)));
}

/** A PromQL double-quoted string (Go escapes, as JSON's for these characters). */
function promqlString(value: string): string {
  return JSON.stringify(value);
}

/** A node name as a literal inside a RE2 alternation. */
function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
