import { ConfigError } from '../errors/config-error.ts';
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
  const source = raw.baselineSource;
  if (source !== 'pushgateway' && source !== 'prometheus') {
    throw new ConfigError(`--baseline-source must be one of pushgateway, prometheus, got ${JSON.stringify(source)}`, 'baseline-source');
  }
  if (!/^(\d+(ms|[smhdwy]))+$/.test(raw.baselineWindow)) {
    throw new ConfigError(
      `--baseline-window must be a PromQL duration such as 6h, 1d or 1h30m, got ${JSON.stringify(raw.baselineWindow)}`,
      'baseline-window',
    );
  }
  const config: VerifyConfig = { floors, push: raw.push };
  if (raw.baselineRatio !== undefined) {
    const r = raw.baselineRatio.trim() === '' ? NaN : Number(raw.baselineRatio);
    if (!Number.isFinite(r) || r <= 0 || r > 1)
      throw new ConfigError(`--baseline-ratio must be a number > 0 and ≤ 1, got ${JSON.stringify(raw.baselineRatio)}`, 'baseline-ratio');
    floors.baselineRatio = r;
    if (source === 'pushgateway') {
      if (!run.pushgateway)
        throw new ConfigError(
          '--baseline-ratio with --baseline-source pushgateway needs --pushgateway (where the earlier results are)',
          'baseline-ratio',
        );
      config.baseline = { kind: 'pushgateway' };
    } else {
      if (raw.prometheus === undefined) throw new ConfigError('--baseline-source prometheus needs --prometheus URL', 'prometheus');
      config.baseline = { kind: 'prometheus', url: httpUrl(raw.prometheus), window: raw.baselineWindow };
    }
  } else if (raw.prometheus !== undefined) {
    throw new ConfigError(
      '--prometheus is only read for the baseline: add --baseline-ratio and --baseline-source prometheus',
      'prometheus',
    );
  }
  if (raw.push && !run.pushgateway) throw new ConfigError('--push needs --pushgateway', 'push');
  for (const [flag, v] of [
    ['junit', raw.junit],
    ['markdown', raw.markdown],
  ] as const) {
    if (v === '') throw new ConfigError(`--${flag} must name a file (or - for stdout), got ""`, flag);
  }
  if (raw.junit === '-' && raw.markdown === '-')
    throw new ConfigError('--junit - and --markdown - would both write to stdout: send one of them to a file', 'junit');
  if (raw.junit !== undefined) config.junit = raw.junit;
  if (raw.markdown !== undefined) config.markdown = raw.markdown;
  return config;
}

function mbps(flag: string, value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--${flag} must be a number of Mbit/s > 0, got ${JSON.stringify(value)}`, flag);
  return n;
}

function httpUrl(value: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    // reported below
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) {
    throw new ConfigError(`--prometheus must be an http(s) URL without query, got ${JSON.stringify(value)}`, 'prometheus');
  }
  if (u.username || u.password) throw new ConfigError('--prometheus must not carry credentials in the URL', 'prometheus');
  return value.replace(/\/+$/, '');
}
