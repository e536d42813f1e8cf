import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { pairCapacity } from '../../src/lab/spec.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import type { JsonReport } from '../../src/output/json-report.ts';
import { labName } from '../support/lab-name.ts';

// Host and pod network on a real 4-node lab (network namespaces, htb-shaped 200 Mbit/s NICs, real
// iperf3, a real Pushgateway). Each node gets a second address standing for its pod-network server
// (static targets with network: pod; the node's one iperf3 server listens on both). The per-destination
// shaping (a 50 Mbit/s path n1 → n2) matches the host addresses only, as a path the pod network routes
// differently would; both addresses share the node's NIC. At the collision-free concurrency a host and a
// pod test never share a node's sending or receiving side, so every reading is what the test would read
// alone: a host and a pod test out of one node at once would split its 200 Mbit/s.

const D = 2;
const N = 4;
const NIC = 200;
const TCP_EFFICIENCY = 0.956; // TCP goodput over an htb-shaped link, measured solo on this machine (mesh-cycle.test.ts)
let lab: LabState;
let gw: RealPushgateway;
let scratch: string;
let targetsFile: string;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: labName('pod'), nodes: N, nicMbit: NIC, slow: ['n1>n2=50'], port: 5201, pushgateway: false });
  gw = await startPushgateway();
  scratch = mkdtempSync(join(tmpdir(), 'pod-network-'));
  const targets = lab.spec.nodes.flatMap((node, position) => {
    const podIp = node.ip.replace(/\.\d+$/, `.${101 + position}`);
    execFileSync('ip', ['netns', 'exec', node.netns, 'ip', 'addr', 'add', `${podIp}/24`, 'dev', 'eth0']);
    return [
      { node: node.name, ip: node.ip, port: 5201 },
      { node: node.name, ip: podIp, port: 5201, network: 'pod' },
    ];
  });
  targetsFile = join(scratch, 'targets.yaml');
  writeFileSync(targetsFile, JSON.stringify(targets));
});
after(async () => {
  await gw?.stop();
  await labDown(labName('pod'));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('both networks at the collision-free concurrency: every pair reads its own rate, the pod series apart, in 2(N−1) rounds', async () => {
  const args = ['run', '--targets', targetsFile, '--client-command', lab.clientCommand, '--duration', String(D), '--omit', '0'];
  const r = await runCli([...args, '--concurrency', String(N), '--pushgateway', gw.url, '--output', 'json'], {}, 180_000);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.equal(report.summary.success, 2 * N * (N - 1), JSON.stringify(report.pairs.filter((p) => !p.success)));
  for (const p of report.pairs) {
    const capacity = p.network === 'host' ? pairCapacity(lab.spec, p.source_node, p.destination_node) : NIC;
    const expected = TCP_EFFICIENCY * capacity;
    const error = Math.abs(p.bandwidth_mbps! - expected) / expected;
    assert.ok(error <= 0.1, `${p.source_node}→${p.destination_node} ${p.network}: ${p.bandwidth_mbps} Mbit/s vs ${expected.toFixed(1)} (${(error * 100).toFixed(1)} %)`);
  }
  const passS = report.duration_s - (report.interference?.retest_s ?? 0);
  const floorS = 2 * (N - 1) * D;
  assert.ok(passS <= floorS + 5, `the pass took ${passS} s, floor ${floorS} s`);
  console.log(`# ${report.pairs.length} tests over 2 networks in ${passS.toFixed(1)} s (floor ${floorS} s); n1→n2 host ${report.pairs.find((p) => p.source_node === 'n1' && p.destination_node === 'n2' && p.network === 'host')?.bandwidth_mbps} Mbit/s, pod ${report.pairs.find((p) => p.source_node === 'n1' && p.destination_node === 'n2' && p.network === 'pod')?.bandwidth_mbps} Mbit/s`);

  const text = await gw.metrics();
  const bandwidth = (network: string) =>
    Number(new RegExp(`^iperf_network_bandwidth_mbps\\{destination_node="n2",instance="",job="iperf3-monitor",network="${network}",protocol="tcp",source_node="n1"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.ok(bandwidth('host') < 0.3 * bandwidth('pod'), `n1→n2: host ${bandwidth('host')} Mbit/s, pod ${bandwidth('pod')} Mbit/s`);
  assert.equal([...text.matchAll(/^iperf_test_success\{[^}]*network="pod"[^}]*\} 1$/gm)].length, N * (N - 1));
  assert.equal([...text.matchAll(/^iperf_test_success\{[^}]*network="host"[^}]*\} 1$/gm)].length, N * (N - 1));
});
