import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairKey, previousKey, readGatewayState, type PreviousPair } from '../../src/push/previous-results.ts';
import { parseSampleLine } from '../../src/push/exposition.ts';
import { carryOver } from '../../src/push/carry-over.ts';
import { coverageOf } from '../../src/metrics/coverage.ts';
import { runRegistry, sourceRegistries } from '../../src/metrics/registries.ts';
import type { Network, PairResult, Server } from '../../src/model/types.ts';

// The network dimension of the results: read back from the Pushgateway keyed by network (older
// pushes without the label are the host network's), carried over, counted for coverage and
// written as the network label, so that a host result never stands in for a pod one.

const server = (node: string, network: Network): Server => ({ node, ip: `10.0.0.${node.length}`, port: 5201, network });
const ok = (source: string, destination: string, network: Network, mbps: number, at = 2_000_000): PairResult => ({
  pair: { source: server(source, network), destination: server(destination, network), protocol: 'tcp' },
  status: 'success',
  measurement: { bandwidthMbps: mbps },
  attempts: 1,
  startedAt: at - 1000,
  finishedAt: at,
});

async function stateOf(lines: string[]) {
  async function* samples() {
    for (const line of lines) yield parseSampleLine(line)!;
  }
  return readGatewayState(samples(), 'iperf3-monitor');
}

test('read back per network: no label is "host" (an older runner\'s push), "pod" apart, an unknown network ignored', async () => {
  const pair = 'destination_node="b",instance="",job="iperf3-monitor"';
  const state = await stateOf([
    `iperf_network_bandwidth_mbps{${pair},protocol="tcp",source_node="a"} 940`,
    `iperf_test_timestamp_seconds{${pair},protocol="tcp",source_node="a"} 1000`,
    `iperf_network_bandwidth_mbps{${pair},network="pod",protocol="tcp",source_node="a"} 610`,
    `iperf_test_timestamp_seconds{${pair},network="pod",protocol="tcp",source_node="a"} 1100`,
    `iperf_test_timestamp_seconds{${pair},network="vpn",protocol="tcp",source_node="a"} 1200`,
    `iperf_test_skipped{job="iperf3-monitor",instance="",source_node="b",destination_node="a",protocol="tcp",network="pod",reason="destination-down"} 1`,
    `iperf_run_timestamp_seconds{job="iperf3-monitor",instance=""} 1300`,
  ]);
  assert.deepEqual([...state.previous.entries()], [
    [previousKey('a', 'b', 'tcp', 'host'), { source: 'a', destination: 'b', protocol: 'tcp', network: 'host', timestamp: 1000, values: { iperf_network_bandwidth_mbps: 940, iperf_test_timestamp_seconds: 1000 } }],
    [previousKey('a', 'b', 'tcp', 'pod'), { source: 'a', destination: 'b', protocol: 'tcp', network: 'pod', timestamp: 1100, values: { iperf_network_bandwidth_mbps: 610, iperf_test_timestamp_seconds: 1100 } }],
  ]);
  assert.deepEqual([...state.judgedDown], [[previousKey('b', 'a', 'tcp', 'pod'), 1300]]);
  assert.equal(state.judgedDown.get(pairKey(ok('b', 'a', 'host', 1).pair)), undefined, 'a pod pair judged down says nothing of the host pair');
});

const earlier = (network: Network, timestamp: number): [string, PreviousPair] => [
  previousKey('a', 'b', 'tcp', network),
  { source: 'a', destination: 'b', protocol: 'tcp', network, timestamp, values: { iperf_network_bandwidth_mbps: network === 'host' ? 940 : 610, iperf_test_timestamp_seconds: timestamp } },
];

test('carry-over: a pod test of a→b does not replace the host result of a→b, which is written back with network="host"', async () => {
  const previous = new Map([earlier('host', 1000), earlier('pod', 1100)]);
  const results = [ok('a', 'b', 'pod', 700)];
  const { carried, emptied } = carryOver(previous, results, () => false, 0);
  assert.deepEqual(carried.map((pair) => `${pair.source}→${pair.destination} ${pair.network}`), ['a→b host']);
  assert.deepEqual(emptied, []);
  const text = await sourceRegistries(results, carried).get('a')!.metrics();
  const bandwidth = text.split('\n').filter((line) => line.startsWith('iperf_network_bandwidth_mbps{'));
  assert.deepEqual(bandwidth.sort(), [
    'iperf_network_bandwidth_mbps{source_node="a",destination_node="b",protocol="tcp",network="host"} 940',
    'iperf_network_bandwidth_mbps{source_node="a",destination_node="b",protocol="tcp",network="pod"} 700',
  ]);
});

test('coverage: a pod pair with only a host result is unmeasured', () => {
  const previous = new Map([earlier('host', 1000)]);
  const planned = [ok('a', 'b', 'host', 1).pair, ok('a', 'b', 'pod', 1).pair];
  const coverage = coverageOf(planned, [], previous, { nowS: 1010, notBeforeS: 0, periodS: 100 });
  assert.deepEqual(coverage, { pairs: 2, unmeasured: 1, measuredRatio: 0.5, oldestAgeS: 10 });
});

test('every per-pair series and the skipped series carry the network label', async () => {
  const skipped: PairResult = { ...ok('b', 'a', 'pod', 1), status: 'skipped', skipped: 'deadline', measurement: undefined } as unknown as PairResult;
  const failed: PairResult = { ...ok('b', 'a', 'host', 1), status: 'failure', failure: { kind: 'refused', message: 'r' }, measurement: undefined } as unknown as PairResult;
  const results = [ok('a', 'b', 'pod', 700), failed, skipped];
  const pairLines = (await Promise.all([...sourceRegistries(results).values()].map((reg) => reg.metrics())))
    .join('\n')
    .split('\n')
    .filter((line) => line.startsWith('iperf_'));
  assert.ok(pairLines.length >= 8, pairLines.join('\n'));
  for (const line of pairLines) assert.match(line, /,network="(host|pod)"\}/);
  const run = await runRegistry(results, { durationS: 1, servers: 4, endedAt: 2_000_000 }).metrics();
  assert.match(run, /^iperf_test_skipped\{source_node="b",destination_node="a",protocol="tcp",network="pod",reason="deadline"\} 1$/m);
});
