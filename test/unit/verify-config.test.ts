import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildVerifyConfig, type RawVerifyOptions } from '../../src/verify/verify-config.ts';

// `verify`'s own options: what they become, and the exact message for each bad value.

const raw = (o: Partial<RawVerifyOptions> = {}): RawVerifyOptions => ({ baselineSource: 'pushgateway', baselineWindow: '1d', push: false, ...o });

test('floors per protocol and a Prometheus baseline become a config', () => {
  const c = buildVerifyConfig(raw({ minTcpMbps: '900', minUdpMbps: '95.5', baselineRatio: '0.8', baselineSource: 'prometheus', prometheus: 'http://prom:9090/', junit: 'r.xml', markdown: '-' }), { pushgateway: false });
  assert.deepEqual(c, {
    floors: { minMbps: { tcp: 900, udp: 95.5 }, baselineRatio: 0.8 },
    baseline: { kind: 'prometheus', url: 'http://prom:9090', window: '1d' },
    junit: 'r.xml',
    markdown: '-',
    push: false,
  });
});

test('without --baseline-ratio no baseline is read', () => {
  assert.deepEqual(buildVerifyConfig(raw({ minTcpMbps: '1' }), { pushgateway: true }), { floors: { minMbps: { tcp: 1 } }, push: false });
});

const rejections: [string, Partial<RawVerifyOptions>, boolean, string][] = [
  ['a floor of zero', { minTcpMbps: '0' }, false, '--min-tcp-mbps must be a number of Mbit/s > 0, got "0"'],
  ['a floor that is not a number', { minUdpMbps: '1G' }, false, '--min-udp-mbps must be a number of Mbit/s > 0, got "1G"'],
  ['a ratio above 1', { baselineRatio: '80' }, true, '--baseline-ratio must be a number > 0 and ≤ 1, got "80"'],
  ['a Pushgateway baseline without a Pushgateway', { baselineRatio: '0.5' }, false, '--baseline-ratio with --baseline-source pushgateway needs --pushgateway (where the earlier results are)'],
  ['a Prometheus baseline without a URL', { baselineRatio: '0.5', baselineSource: 'prometheus' }, false, '--baseline-source prometheus needs --prometheus URL'],
  ['an unknown source', { baselineSource: 'thanos' }, false, '--baseline-source must be one of pushgateway, prometheus, got "thanos"'],
  ['a window that is not a PromQL duration', { baselineWindow: '1 day' }, false, '--baseline-window must be a PromQL duration such as 6h, 1d or 1h30m, got "1 day"'],
  ['a Prometheus URL with credentials', { baselineRatio: '0.5', baselineSource: 'prometheus', prometheus: 'http://u:p@prom' }, false, '--prometheus must not carry credentials in the URL'],
  ['--prometheus without a baseline to read', { prometheus: 'http://prom' }, false, '--prometheus is only read for the baseline: add --baseline-ratio and --baseline-source prometheus'],
  ['--push without a Pushgateway', { push: true }, false, '--push needs --pushgateway'],
  ['an empty report path', { junit: '' }, false, '--junit must name a file (or - for stdout), got ""'],
  ['both reports on stdout', { junit: '-', markdown: '-' }, false, '--junit - and --markdown - would both write to stdout: send one of them to a file'],
];
for (const [name, o, pushgateway, message] of rejections) {
  test(`verify rejects ${name}`, () => {
    assert.throws(() => buildVerifyConfig(raw(o), { pushgateway }), { name: 'ConfigError', message });
  });
}
