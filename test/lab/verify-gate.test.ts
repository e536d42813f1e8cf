import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { serverPid, restartServer } from '../support/lab-faults.ts';
import { ensureBuilt, runCli, logLines } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { startPrometheus, type RealPrometheus } from '../support/prometheus.ts';
import { parseJunit, type JunitCase } from '../support/junit.ts';
import { waitFor } from '../support/wait-for.ts';

// `verify`, the gate, on a real 3-node lab (network namespaces, htb-shaped 200 Mbit/s NICs, real iperf3
// 3.12), with a real Pushgateway holding the earlier results and a real Prometheus scraping it: a link
// slowed after the baseline was taken fails the gate (exit 3) against either baseline, an absolute
// floor fails a slow pair, a dead server fails its pairs, and the JUnit XML parses with the right counts.

const LAB = 'opsv';
const D = 2;
let lab: LabState;
let gw: RealPushgateway;
let prom: RealPrometheus;
let dir: string;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, nodes: 3, nicMbit: 200, slow: [], port: 5201, pushgateway: false });
  gw = await startPushgateway();
  prom = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [] });
  dir = mkdtempSync(join(tmpdir(), 'ops-verify-'));
});
after(async () => {
  await prom?.stop();
  await gw?.stop();
  await labDown(LAB);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sets the shaped rate of the directed pair src→dst (its htb class on src's NIC). */
function shape(src: string, dst: string, mbit: number) {
  const j = lab.spec.nodes.findIndex((n) => n.name === dst);
  const cls = `1:${(j + 10).toString(16)}`;
  execFileSync('ip', ['netns', 'exec', `${LAB}-${src}`, 'tc', 'class', 'change', 'dev', 'eth0', 'parent', '1:1', 'classid', cls, 'htb', 'rate', `${mbit}mbit`, 'ceil', `${mbit}mbit`]);
}

const cycleArgs = () => ['--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', String(D), '--omit', '0', '--concurrency', '3', '--output', 'none'];
const files = (name: string) => ({ junit: join(dir, `${name}.xml`), markdown: join(dir, `${name}.md`) });
const verify = async (name: string, ...extra: string[]) => {
  const f = files(name);
  const r = await runCli(['verify', ...cycleArgs(), '--junit', f.junit, '--markdown', f.markdown, ...extra], {}, 120_000);
  return { ...r, junit: () => parseJunit(f.junit), markdown: () => readFileSync(f.markdown, 'utf8') };
};
const failures = (cases: JunitCase[]) => cases.filter((c) => c.failure).map((c) => `${c.name} ${c.failure!.type}`).sort();
const pushedMbps = async (src: string, dst: string) =>
  Number(new RegExp(`^iperf_network_bandwidth_mbps\\{destination_node="${dst}",[^}]*source_node="${src}"\\} (\\S+)$`, 'm').exec(await gw.metrics())?.[1]);

test('a healthy lab passes the gate: exit 0, a JUnit report with 6 passing testcases and a PASS summary', async () => {
  // The baseline: an ordinary run pushes every pair's result, Prometheus scrapes it.
  const base = await runCli(['run', ...cycleArgs(), '--pushgateway', gw.url], {}, 120_000);
  assert.equal(base.code, 0, base.stderr);
  await waitFor('6 pairs in Prometheus', async () => (await prom.query('iperf_network_bandwidth_mbps')).length === 6, 20_000);

  const r = await verify('pass', '--min-tcp-mbps', '100');
  assert.equal(r.code, 0, r.stderr);
  const doc = r.junit();
  assert.equal(doc.root, 'testsuites');
  assert.deepEqual([doc.tests, doc.failures, doc.errors], [6, 0, 0]);
  assert.equal(doc.suites.length, 1);
  const [suite] = doc.suites;
  assert.equal(suite!.name, 'iperf3-monitor verify tcp');
  assert.deepEqual(suite!.properties, { protocol: 'tcp', min_mbps: '100' });
  assert.deepEqual(suite!.cases.map((c) => c.name).sort(), ['n1 → n2', 'n1 → n3', 'n2 → n1', 'n2 → n3', 'n3 → n1', 'n3 → n2']);
  for (const c of suite!.cases) {
    assert.equal(c.classname, 'iperf3-monitor.tcp');
    assert.match(c.systemOut!, /^measured: 1[89]\d\.\d Mbit\/s$/m);
    assert.match(c.systemOut!, /^floor: 100 Mbit\/s$/m);
  }
  const md = r.markdown();
  assert.match(md, /^## iperf3-monitor verify: ✅ PASS$/m);
  assert.match(md, /^6 pairs between 3 nodes, 6 passed, 0 failed; /m);
  assert.match(md, /^Floors: TCP ≥ 100 Mbit\/s; every test must succeed\.$/m);
  assert.equal(md.match(/^\| n\d \| n\d \| tcp \| 1[89]\d\.\d \| – \| 100 \| pass \|$/gm)?.length, 6);
  assert.doesNotMatch(md, /### Failed pairs/);
});

test('a link slowed after the baseline fails the gate against the Pushgateway baseline (exit 3); verify does not push', async () => {
  shape('n1', 'n2', 50);
  const before = await pushedMbps('n1', 'n2');
  assert.ok(before > 180, `baseline n1→n2 ${before}`);
  const r = await verify('pgw', '--pushgateway', gw.url, '--baseline-ratio', '0.8');
  assert.equal(r.code, 3, r.stderr);
  const doc = r.junit();
  assert.deepEqual([doc.tests, doc.failures], [6, 1]);
  const cases = doc.suites[0]!.cases;
  assert.deepEqual(failures(cases), ['n1 → n2 below-baseline']);
  const f = cases.find((c) => c.failure)!.failure!;
  const m = /^(\d+\.\d) Mbit\/s is (\d+\.\d) % of its baseline (\d+\.\d) Mbit\/s, below 80 % \((\d+\.\d) Mbit\/s\)$/.exec(f.message);
  assert.ok(m, f.message);
  assert.ok(Number(m[1]) > 45 && Number(m[1]) < 50, f.message);
  assert.equal(Number(m[3]), Number(before.toFixed(1)));
  assert.match(f.text, /^baseline: \d+\.\d Mbit\/s$/m);
  assert.equal(doc.suites[0]!.properties.baseline_source, `last result in the Pushgateway ${gw.url}`);
  // The gate read the gateway; it did not write to it.
  assert.equal(await pushedMbps('n1', 'n2'), before);
  const md = r.markdown();
  assert.match(md, /^## iperf3-monitor verify: ❌ FAIL$/m);
  assert.match(md, /### Failed pairs\n\n\| Source \| Destination \| Protocol \| Mbit\/s \| Baseline \| Required \| Result \|\n\|---\|---\|---\|--:\|--:\|--:\|---\|\n\| n1 \| n2 \| tcp \| \d+\.\d \| \d+\.\d \| \d+\.\d \| \*\*below-baseline\*\*: /);
  const warn = logLines(r.stderr).find((l) => l.msg === 'pair failed the gate');
  assert.deepEqual([warn?.source_node, warn?.destination_node, warn?.verdict], ['n1', 'n2', 'below-baseline']);
});

test('the same slowed link fails the gate against the Prometheus baseline, the median over a window', async () => {
  const r = await verify('prom', '--baseline-source', 'prometheus', '--prometheus', prom.url, '--baseline-window', '1h', '--baseline-ratio', '0.8');
  assert.equal(r.code, 3, r.stderr);
  const doc = r.junit();
  assert.deepEqual([doc.tests, doc.failures], [6, 1]);
  assert.deepEqual(failures(doc.suites[0]!.cases), ['n1 → n2 below-baseline']);
  assert.equal(doc.suites[0]!.properties.baseline_source, `median over 1h in Prometheus ${prom.url}`);
  for (const c of doc.suites[0]!.cases) assert.match(c.failure?.text ?? c.systemOut!, /^baseline: 1[89]\d\.\d Mbit\/s$/m, c.name);
});

test('an absolute floor fails the slow pair, a dead server fails its pairs (refused, or not tried once judged down), and --push writes the results', async () => {
  process.kill(serverPid(lab, 'n3'), 'SIGKILL');
  try {
    const r = await verify('floor', '--min-tcp-mbps', '100', '--busy-retries', '0', '--pushgateway', gw.url, '--push');
    assert.equal(r.code, 3, r.stderr);
    const doc = r.junit();
    assert.deepEqual([doc.tests, doc.failures, doc.errors], [6, 3, 0]);
    // Into the dead n3: the first test is refused (test-failed); the other is refused too, or not tried
    // once the run judged n3 down on that evidence (not-tested): either fails the gate.
    const failed = failures(doc.suites[0]!.cases);
    assert.equal(failed.length, 3);
    assert.equal(failed[0], 'n1 → n2 below-floor');
    for (const pair of failed.slice(1)) assert.match(pair, /^n[12] → n3 (test-failed|not-tested)$/);
    assert.ok(failed.some((pair) => pair.endsWith('test-failed')), failed.join(', '));
    const floor = doc.suites[0]!.cases.find((c) => c.name === 'n1 → n2')!.failure!;
    assert.match(floor.message, /^4\d\.\d Mbit\/s is below the tcp floor of 100 Mbit\/s$/);
    const dead = doc.suites[0]!.cases.filter((c) => c.failure?.type === 'test-failed').map((c) => c.failure!.message.split(':')[0]).sort();
    assert.ok(dead.length >= 1 && dead.every((kind) => kind === 'refused'), dead.join(', '));
    assert.ok((await pushedMbps('n1', 'n2')) < 50, 'pushed with --push');
  } finally {
    shape('n1', 'n2', 200);
    await restartServer(lab, 'n3');
  }
});

test('an unreachable baseline is a run-level failure (exit 1) before anything is tested', async () => {
  const r = await verify('nobase', '--baseline-source', 'prometheus', '--prometheus', 'http://127.0.0.1:1', '--baseline-ratio', '0.5');
  assert.equal(r.code, 1);
  const err = logLines(r.stderr).find((l) => l.level === 50);
  assert.match(String(err?.msg), /^query the baseline from Prometheus http:\/\/127\.0\.0\.1:1\/api\/v1\/query: ECONNREFUSED/);
  assert.equal(logLines(r.stderr).filter((l) => l.msg === 'test succeeded').length, 0);
});
