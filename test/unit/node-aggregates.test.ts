import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { nodeAggregates, nodeAggregateGauges } from '../../src/metrics/node-aggregates.ts';
import type { Network, PairResult, Server } from '../../src/model/types.ts';
import type { PreviousPair } from '../../src/push/previous-results.ts';

// Per-node aggregates: each node's worst and median bandwidth out and in over the latest result of
// each pair; this run's results supersede earlier ones, and a failure removes the pair's reading.

const server = (node: string, network?: Network): Server => ({ node, ip: '10.0.0.1', port: 5201, ...(network ? { network } : {}) });
const ok = (source: string, destination: string, mbps: number, network?: Network): PairResult => ({
  pair: { source: server(source, network), destination: server(destination, network), protocol: 'tcp' },
  status: 'success',
  measurement: { bandwidthMbps: mbps },
  attempts: 1,
  startedAt: 1,
  finishedAt: 2,
});
const earlier = (source: string, destination: string, mbps: number, network: Network = 'host'): PreviousPair => ({
  source,
  destination,
  protocol: 'tcp',
  network,
  timestamp: 1,
  values: { iperf_network_bandwidth_mbps: mbps },
});

test('worst and median out and in per node, this run superseding the earlier results', () => {
  const results: PairResult[] = [
    ok('a', 'b', 900),
    ok('a', 'c', 100),
    { ...ok('b', 'a', 0), status: 'failure', failure: { kind: 'timeout', message: 't' }, measurement: undefined } as unknown as PairResult,
  ];
  // a>b was 50 before (superseded by 900); b>a was 700 before (superseded by the failure); c>a 300 still held.
  const aggregates = nodeAggregates(results, [earlier('a', 'b', 50), earlier('b', 'a', 700), earlier('c', 'a', 300)]);
  const get = (node: string, direction: string) => aggregates.find((a) => a.node === node && a.direction === direction);
  assert.deepEqual(get('a', 'out'), { node: 'a', direction: 'out', protocol: 'tcp', network: 'host', min: 100, median: 500, pairs: 2 });
  assert.deepEqual(get('a', 'in'), { node: 'a', direction: 'in', protocol: 'tcp', network: 'host', min: 300, median: 300, pairs: 1 });
  assert.equal(get('b', 'out'), undefined);
  assert.deepEqual(get('b', 'in'), { node: 'b', direction: 'in', protocol: 'tcp', network: 'host', min: 900, median: 900, pairs: 1 });
});

test('four series per node, protocol and network, labelled node, direction, protocol, network, stat', async () => {
  const reg = new Registry();
  nodeAggregateGauges(reg, nodeAggregates([ok('a', 'b', 900), ok('b', 'a', 800)]));
  const lines = (await reg.metrics()).split('\n').filter((l) => l.startsWith('iperf_node_bandwidth_mbps{'));
  assert.equal(lines.length, 8);
  assert.ok(lines.includes('iperf_node_bandwidth_mbps{node="a",direction="out",protocol="tcp",network="host",stat="min"} 900'));
  assert.ok(lines.includes('iperf_node_bandwidth_mbps{node="a",direction="in",protocol="tcp",network="host",stat="median"} 800'));
});

test('per network: a node\'s pod-network readings are aggregated apart from its host-network ones, and a pod result never supersedes a host one', () => {
  const results = [ok('a', 'b', 900, 'host'), ok('a', 'b', 600, 'pod'), ok('a', 'c', 500, 'pod')];
  const aggregates = nodeAggregates(results, [earlier('a', 'c', 950, 'host'), earlier('a', 'b', 400, 'pod')]);
  const get = (network: string) => aggregates.find((a) => a.node === 'a' && a.direction === 'out' && a.network === network);
  assert.deepEqual(get('host'), { node: 'a', direction: 'out', protocol: 'tcp', network: 'host', min: 900, median: 925, pairs: 2 });
  assert.deepEqual(get('pod'), { node: 'a', direction: 'out', protocol: 'tcp', network: 'pod', min: 500, median: 550, pairs: 2 });
});
