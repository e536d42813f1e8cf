import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWriteRequest, remoteWrite, resultSamples, snappyBlock } from '../../src/push/remote-write.ts';
import { startPrometheus, type RealPrometheus } from '../support/prometheus.ts';
import type { PairResult, Server } from '../../src/model/types.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIperf3Server } from '../support/iperf3-server.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';

// Remote write against a real Prometheus (Debian's, with --web.enable-remote-write-receiver): the
// hand-written protobuf WriteRequest and literal-only snappy block are accepted, every sample lands with
// its own timestamp (when the test ended, not when it was sent), and a refusal is a PushError naming the
// receiver and its answer.

let prom: RealPrometheus;
before(async () => {
  prom = await startPrometheus({ targets: [], ruleFiles: [], flags: ['--web.enable-remote-write-receiver'] });
});
after(async () => {
  await prom?.stop();
});

const server = (node: string, zone: string): Server & { zone: string } => ({ node, ip: '10.0.0.1', port: 5201, zone });
const now = Math.floor(Date.now() / 1000) * 1000;
const results: PairResult[] = [
  {
    pair: { source: server('n1', 'a'), destination: server('n2', 'b'), protocol: 'tcp' },
    status: 'success',
    measurement: { bandwidthMbps: 941.25, retransmits: 3, rttSeconds: 0.00021 },
    attempts: 1,
    startedAt: now - 126_000,
    finishedAt: now - 120_000,
  },
  {
    pair: { source: server('n2', 'b'), destination: server('n1', 'a'), protocol: 'udp' },
    status: 'failure',
    failure: { kind: 'timeout', message: 'no result' },
    attempts: 1,
    startedAt: now - 70_000,
    finishedAt: now - 60_000,
  },
  {
    pair: { source: server('n1', 'a'), destination: server('n3', 'a'), protocol: 'tcp' },
    status: 'skipped',
    skipped: 'deadline',
    attempts: 0,
    startedAt: 0,
    finishedAt: 0,
  },
];

test('snappy literal blocks: the length preamble and 1-, 2-byte literal lengths', () => {
  assert.deepEqual([...snappyBlock(Uint8Array.from([7, 8, 9]))], [3, 2 << 2, 7, 8, 9]);
  const long = snappyBlock(new Uint8Array(300));
  assert.deepEqual([...long.subarray(0, 5)], [0xac, 0x02, 61 << 2, 299 & 255, 299 >> 8]);
  assert.equal(long.length, 5 + 300);
});

test('the results land in a real Prometheus with the time each test ended, zones included', async () => {
  const zones = new Map([
    ['n1', 'a'],
    ['n2', 'b'],
  ]);
  const samples = resultSamples(results, 'iperf3-monitor', zones);
  assert.equal(samples.length, 6 + 3, 'success: 6 metrics, failure: 3, skipped: none');
  assert.ok(encodeWriteRequest(samples).length > 0);
  await remoteWrite(fetch, `${prom.url}/api/v1/write`, samples, 10_000);
  const [bandwidth] = await prom.query('timestamp(iperf_network_bandwidth_mbps{job="iperf3-monitor"})');
  assert.deepEqual(bandwidth?.metric, {
    destination_node: 'n2',
    destination_zone: 'b',
    job: 'iperf3-monitor',
    network: 'host',
    protocol: 'tcp',
    source_node: 'n1',
    source_zone: 'a',
  });
  assert.equal(Number(bandwidth?.value[1]), (now - 120_000) / 1000, 'the sample carries the time the test ended');
  const [value] = await prom.query('iperf_network_bandwidth_mbps');
  assert.equal(value?.value[1], '941.25');
  const [failed] = await prom.query('iperf_test_success{protocol="udp"}');
  assert.equal(failed?.value[1], '0');
  assert.equal(Number((await prom.query('timestamp(iperf_test_success{protocol="udp"})'))[0]?.value[1]), (now - 60_000) / 1000);
});

test('a receiver that refuses the write is a PushError naming it and its answer', async () => {
  await assert.rejects(remoteWrite(fetch, `${prom.url}/api/v1/nope`, resultSamples(results, 'j'), 5_000), (error: Error) => {
    assert.equal(error.name, 'PushError');
    assert.match(error.message, new RegExp(`^remote write ${prom.url.replace(/\./g, '\\.')}/api/v1/nope: HTTP 404`));
    return true;
  });
});

test("run --remote-write sends the run's results (real iperf3) without a Pushgateway", async () => {
  ensureBuilt();
  const iperf = await startIperf3Server();
  const dir = mkdtempSync(join(tmpdir(), 'cv-rw-'));
  try {
    const targets = join(dir, 'targets.json');
    writeFileSync(targets, JSON.stringify(['r1', 'r2'].map((node) => ({ node, ip: '127.0.0.1', port: iperf.port }))));
    const args = [
      'run',
      '--targets',
      targets,
      '--client-command',
      'env NODE={node} iperf3',
      '--concurrency',
      '1',
      '--duration',
      '1',
      '--omit',
      '0',
    ];
    const r = await runCli([...args, '--remote-write', `${prom.url}/api/v1/write`, '--output', 'none'], {}, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /"samples":\d+,"msg":"results sent by remote write"/);
    const rows = await prom.query('iperf_test_success{job="iperf3-monitor", source_node=~"r1|r2"}');
    assert.deepEqual(rows.map((row) => `${row.metric.source_node}>${row.metric.destination_node}=${row.value[1]}`).sort(), [
      'r1>r2=1',
      'r2>r1=1',
    ]);
  } finally {
    iperf.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
