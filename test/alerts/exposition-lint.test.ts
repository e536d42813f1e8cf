// `promtool check metrics` on exactly what the runner pushes: a real cycle (the built CLI, a real iperf3 server
// on loopback, TCP and UDP, one refused destination) against a local HTTP server that records the PUT bodies
// in place of a Pushgateway. The only findings allowed are the three names the public metric contract fixes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { reply, startRecorder, type HttpRecorder } from '../support/http-recorder.ts';

// Names kept from the project's public contract (README "Metrics"); renaming them would break every user's
// queries, so promtool's naming advice for them is accepted here and nowhere else.
const CONTRACT_FINDINGS = [
  'iperf_network_jitter_ms metric names should not contain abbreviated units',
  'iperf_network_lost_packets_total non-counter metrics should not have "_total" suffix',
  'iperf_network_packets_total non-counter metrics should not have "_total" suffix',
];

let server: Iperf3Server | undefined;
let gateway: HttpRecorder | undefined;
let dir: string | undefined;
let pushes: { url: string; body: string }[] = [];

before(async () => {
  ensureBuilt();
  server = await startIperf3Server();
  gateway = await startRecorder(reply(200));
  dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-exposition-'));
  const targets = join(dir, 'targets.json');
  const refused = await freePort();
  writeFileSync(targets, JSON.stringify([
    { node: 'a', ip: '127.0.0.1', port: server.port },
    { node: 'b', ip: '127.0.0.1', port: server.port },
    { node: 'c', ip: '127.0.0.1', port: refused },
  ]));
  const r = await runCli(['run', '--targets', targets, '--mode', 'star', '--source-node', 'a', '--protocols', 'tcp,udp', '--duration', '1', '--omit', '0', '--busy-retries', '0', '--pushgateway', gateway.url, '--output', 'none']);
  assert.equal(r.code, 0, r.stderr);
  pushes = gateway.requests.filter((q) => q.method === 'PUT').map((q) => ({ url: q.url, body: q.body }));
});

after(async () => {
  server?.stop();
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function checkMetrics(body: string): { status: number | null; findings: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  return { status: r.status, findings: (r.stdout + r.stderr).split('\n').map((l) => l.trim()).filter(Boolean).sort() };
}

test('the runner pushed one group per source node and one for the run', () => {
  assert.deepEqual(pushes.map((p) => p.url).sort(), ['/metrics/job/iperf3-monitor', '/metrics/job/iperf3-monitor/source_node/a']);
});

test('promtool check metrics finds nothing in the run group', () => {
  const run = pushes.find((p) => p.url === '/metrics/job/iperf3-monitor')!;
  assert.deepEqual(checkMetrics(run.body), { status: 0, findings: [] });
});

test('promtool check metrics finds only the contract names in a source group with TCP, UDP and failed tests', () => {
  const group = pushes.find((p) => p.url.endsWith('/source_node/a'))!;
  for (const name of ['iperf_network_bandwidth_mbps', 'iperf_network_jitter_ms', 'iperf_network_packets_total', 'iperf_test_success']) {
    assert.match(group.body, new RegExp(`^${name}\\{`, 'm'), `${name} was pushed`);
  }
  assert.match(group.body, /^iperf_test_success\{source_node="a",destination_node="c",protocol="tcp",network="host"\} 0$/m);
  const { status, findings } = checkMetrics(group.body);
  assert.deepEqual(findings, CONTRACT_FINDINGS);
  assert.equal(status, 3, 'promtool exits 3 for lint findings');
});
