import { ConfigError } from '../errors/config-error.ts';
import { httpUrl } from './http-url.ts';

// Where the per-pair series go (--pair-series), and where the next run reads back which pairs were
// measured when (--state-url). A Pushgateway holds every pair's series in memory and serves them on
// each scrape, O(N²); a remote-write receiver stores samples as any Prometheus does. With
// remote-write the Pushgateway keeps only what stays O(N) (run, coverage, sizing metrics and the
// per-node aggregates) and the state comes back from the receiver's PromQL query API.

export const PAIR_SERIES = ['pushgateway', 'remote-write', 'both'] as const;
export type PairSeries = (typeof PAIR_SERIES)[number];

export interface PairSeriesConfig {
  pairSeries: PairSeries;
  /** Prometheus remote-write receiver (--remote-write). */
  remoteWrite?: string;
  /** Base URL of a PromQL query API that sees what was remote-written (--state-url): the state of --pair-series remote-write. */
  stateUrl?: string;
}

export interface RawPairSeries {
  pairSeries?: string;
  remoteWrite?: string;
  stateUrl?: string;
}

/** Prometheus's receiver path: its query API is on the same server. */
const PROMETHEUS_WRITE_PATH = /\/api\/v1\/write$/;

/** Default: today's behaviour — the Pushgateway, and the receiver too when --remote-write is set. */
export function pairSeriesOf(raw: RawPairSeries): PairSeriesConfig {
  const remoteWrite = raw.remoteWrite !== undefined ? httpUrl('remote-write', raw.remoteWrite) : undefined;
  const given = raw.pairSeries;
  if (given !== undefined && !(PAIR_SERIES as readonly string[]).includes(given)) {
    throw new ConfigError(`--pair-series must be one of ${PAIR_SERIES.join(', ')}, got ${JSON.stringify(given)}`, 'pair-series');
  }
  const pairSeries = (given as PairSeries | undefined) ?? (remoteWrite ? 'both' : 'pushgateway');
  if (pairSeries !== 'pushgateway' && !remoteWrite) {
    throw new ConfigError(`--pair-series ${pairSeries} needs --remote-write: the receiver that keeps the per-pair series`, 'pair-series');
  }
  if (pairSeries === 'pushgateway' && remoteWrite) {
    const fix = 'drop one, or use --pair-series both';
    throw new ConfigError(`--pair-series pushgateway keeps the per-pair series out of --remote-write: ${fix}`, 'pair-series');
  }
  if (raw.stateUrl !== undefined && pairSeries !== 'remote-write') {
    throw new ConfigError(`--state-url applies to --pair-series remote-write only, got --pair-series ${pairSeries}`, 'state-url');
  }
  const base = { pairSeries, ...(remoteWrite ? { remoteWrite } : {}) };
  if (pairSeries !== 'remote-write') return base;
  if (raw.stateUrl !== undefined) return { ...base, stateUrl: httpUrl('state-url', raw.stateUrl) };
  if (remoteWrite && PROMETHEUS_WRITE_PATH.test(remoteWrite)) return { ...base, stateUrl: remoteWrite.replace(PROMETHEUS_WRITE_PATH, '') };
  throw new ConfigError(
    '--pair-series remote-write reads the last measurement of each pair back with PromQL: set --state-url to the query API ' +
      'that sees the --remote-write receiver (e.g. http://prometheus:9090, a Thanos Query or Mimir query frontend)',
    'state-url',
  );
}
