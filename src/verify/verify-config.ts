import { ConfigError } from '../errors/config-error.ts';
import { httpUrl } from '../config/http-url.ts';
import { oneOf } from '../config/run-config.ts';
import type { Floors } from './floors.ts';

// The validated options of `verify` (the cycle's own options are validated in config/run-config.ts).
// Every message names the flag and the value given.

export interface RawVerifyOptions {
  minTcpMbps?: string;
  minUdpMbps?: string;
  baselineRatio?: string;
  baselineSource: string;
  prometheus?: string;
  baselineWindow: string;
  junit?: string;
  markdown?: string;
  push: boolean;
}

export const BASELINE_SOURCES = ['pushgateway', 'prometheus'] as const;

export type BaselineSource = { kind: 'pushgateway' } | { kind: 'prometheus'; url: string; window: string };

export interface VerifyConfig {
  floors: Floors;
  /** Where baselines come from; undefined when no --baseline-ratio is asked for. */
  baseline?: BaselineSource;
  junit?: string;
  markdown?: string;
  push: boolean;
}

/** `pushgateway`: whether the run has --pushgateway (the Pushgateway baseline needs it). */
export function buildVerifyConfig(raw: RawVerifyOptions, run: { pushgateway: boolean }): VerifyConfig {
  const floors: Floors = { minMbps: {} };
  if (raw.minTcpMbps !== undefined) floors.minMbps.tcp = mbps('min-tcp-mbps', raw.minTcpMbps);
  if (raw.minUdpMbps !== undefined) floors.minMbps.udp = mbps('min-udp-mbps', raw.minUdpMbps);
  const source = oneOf('baseline-source', raw.baselineSource, BASELINE_SOURCES);
  if (!/^(\d+(ms|[smhdwy]))+$/.test(raw.baselineWindow)) {
    const given = JSON.stringify(raw.baselineWindow);
    throw new ConfigError(`--baseline-window must be a PromQL duration such as 6h, 1d or 1h30m, got ${given}`, 'baseline-window');
  }
  const config: VerifyConfig = { floors, push: raw.push };
  if (raw.baselineRatio !== undefined) {
    floors.baselineRatio = ratio(raw.baselineRatio);
    config.baseline = baselineOf(source, raw, run);
  } else if (raw.prometheus !== undefined) {
    const how = 'add --baseline-ratio and --baseline-source prometheus';
    throw new ConfigError(`--prometheus is only read for the baseline: ${how}`, 'prometheus');
  }
  if (raw.push && !run.pushgateway) throw new ConfigError('--push needs --pushgateway', 'push');
  return { ...config, ...reportsOf(raw) };
}

function baselineOf(source: BaselineSource['kind'], raw: RawVerifyOptions, run: { pushgateway: boolean }): BaselineSource {
  if (source === 'pushgateway') {
    if (run.pushgateway) return { kind: 'pushgateway' };
    const why = '--baseline-ratio with --baseline-source pushgateway needs --pushgateway (where the earlier results are)';
    throw new ConfigError(why, 'baseline-ratio');
  }
  if (raw.prometheus === undefined) throw new ConfigError('--baseline-source prometheus needs --prometheus URL', 'prometheus');
  return { kind: 'prometheus', url: httpUrl('prometheus', raw.prometheus), window: raw.baselineWindow };
}

/** --junit and --markdown: a file, or - for stdout (one of them at most, or the two would mix). */
function reportsOf(raw: RawVerifyOptions): Pick<VerifyConfig, 'junit' | 'markdown'> {
  const reports: Pick<VerifyConfig, 'junit' | 'markdown'> = {};
  for (const flag of ['junit', 'markdown'] as const) {
    const path = raw[flag];
    if (path === '') throw new ConfigError(`--${flag} must name a file (or - for stdout), got ""`, flag);
    if (path !== undefined) reports[flag] = path;
  }
  if (reports.junit === '-' && reports.markdown === '-') {
    throw new ConfigError('--junit - and --markdown - would both write to stdout: send one of them to a file', 'junit');
  }
  return reports;
}

function mbps(flag: string, value: string): number {
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new ConfigError(`--${flag} must be a number of Mbit/s > 0, got ${JSON.stringify(value)}`, flag);
  }
  return parsed;
}

function ratio(value: string): number {
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 1) {
    throw new ConfigError(`--baseline-ratio must be a number > 0 and ≤ 1, got ${JSON.stringify(value)}`, 'baseline-ratio');
  }
  return parsed;
}
