// --pair-series and --state-url: the default keeps today's behaviour, remote-write alone needs the
// receiver and a query API to read the pairs' state from, and every refusal names its flags.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pairSeriesOf, type RawPairSeries } from '../../src/config/pair-series.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

const RW = 'http://prometheus:9090/api/v1/write';

describe('good values', () => {
  const cases: { name: string; given: RawPairSeries; expected: ReturnType<typeof pairSeriesOf> }[] = [
    { name: 'no flag: the Pushgateway alone', given: {}, expected: { pairSeries: 'pushgateway' } },
    { name: '--remote-write alone: both, as before', given: { remoteWrite: RW }, expected: { pairSeries: 'both', remoteWrite: RW } },
    {
      name: 'remote-write to a Prometheus: its query API is the state',
      given: { pairSeries: 'remote-write', remoteWrite: RW },
      expected: { pairSeries: 'remote-write', remoteWrite: RW, stateUrl: 'http://prometheus:9090' },
    },
    {
      name: 'remote-write elsewhere with --state-url',
      given: { pairSeries: 'remote-write', remoteWrite: 'http://mimir/api/v1/push', stateUrl: 'http://mimir/prometheus/' },
      expected: { pairSeries: 'remote-write', remoteWrite: 'http://mimir/api/v1/push', stateUrl: 'http://mimir/prometheus' },
    },
  ];
  for (const { name, given, expected } of cases) test(name, () => assert.deepEqual(pairSeriesOf(given), expected));
});

describe('refusals name the flags', () => {
  const cases: { given: RawPairSeries; flag: string; message: string }[] = [
    {
      given: { pairSeries: 'remote-write' },
      flag: 'pair-series',
      message: '--pair-series remote-write needs --remote-write: the receiver that keeps the per-pair series',
    },
    {
      given: { pairSeries: 'both' },
      flag: 'pair-series',
      message: '--pair-series both needs --remote-write: the receiver that keeps the per-pair series',
    },
    {
      given: { pairSeries: 'pushgateway', remoteWrite: RW },
      flag: 'pair-series',
      message: '--pair-series pushgateway keeps the per-pair series out of --remote-write: drop one, or use --pair-series both',
    },
    {
      given: { pairSeries: 'prometheus' },
      flag: 'pair-series',
      message: '--pair-series must be one of pushgateway, remote-write, both, got "prometheus"',
    },
    {
      given: { remoteWrite: RW, stateUrl: 'http://prometheus:9090' },
      flag: 'state-url',
      message: '--state-url applies to --pair-series remote-write only, got --pair-series both',
    },
    {
      given: { pairSeries: 'remote-write', remoteWrite: 'http://mimir/api/v1/push' },
      flag: 'state-url',
      message:
        '--pair-series remote-write reads the last measurement of each pair back with PromQL: set --state-url to the query API ' +
        'that sees the --remote-write receiver (e.g. http://prometheus:9090, a Thanos Query or Mimir query frontend)',
    },
  ];
  for (const { given, flag, message } of cases) {
    test(message, () => {
      assert.throws(
        () => pairSeriesOf(given),
        (error: unknown) => error instanceof ConfigError && error.flag === flag && error.message === message,
      );
    });
  }
});
