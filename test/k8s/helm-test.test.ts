// `helm test` on real nodes (test/k8s/rig.sh up-real): the chart's verify hook Pod (verify.enabled) runs
// `iperf3-monitor verify` from the image built by `npm run image`, as the chart's ServiceAccount, through
// pods/exec into the real server pods, and judges every pair against the floors. A floor the 200 Mbit/s lab
// links reach passes (`helm test` exits 0); after `helm upgrade` to a floor no link reaches, `helm test`
// exits non-zero and the hook pod's log names every failing pair. (The hook was a Job until this test ran it:
// `helm test --logs` then failed a passing test with "unable to get pod logs", as helm reads test Pods only.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Rig, repoDir } from './rig.ts';
import { ensureImages } from './images.ts';
import { allPairs, diagnose, installCrds, manifestOf, oneOf } from './release.ts';

const chartDir = join(repoDir, 'charts/iperf3-monitor');
const nodes = ['node-a', 'node-b', 'node-c'];
const release = 'iperf3-monitor';
const ns = 'monitoring';
const hook = 'iperf3-monitor-verify';
// The lab's links are shaped to 200 Mbit/s: 50 is a floor every pair reaches, 10000 one none does.
const installArgs = ['--set', 'pushgateway.enabled=true', '--set', 'runner.suspend=true', '--set', 'verify.enabled=true', '--set', 'verify.minTcpMbps=50'];

/** The finished hook pod: its exit code and its log (the Markdown summary on stdout, the JSON log on stderr). */
function hookPod(rig: Rig): { exitCode: number; log: string; pod: any } {
  const pod = rig.kubectlJson<any>(['get', 'pod', hook, '-n', ns]);
  const exitCode = pod.status.containerStatuses?.[0]?.state?.terminated?.exitCode as number;
  return { exitCode, log: rig.kubectl(['logs', hook, '-n', ns]), pod };
}

/** Rows of the Markdown summary's "Failed pairs" table, as `source>destination`. */
function failedRows(log: string): string[] {
  const section = log.split('### Failed pairs')[1]?.split('### All pairs')[0] ?? '';
  return [...section.matchAll(/^\| (node-\w) \| (node-\w) \| tcp \|/gm)].map((m) => `${m[1]}>${m[2]}`).sort();
}

describe('helm test on real nodes: the verify hook Pod gates on the floors', () => {
  const rig = new Rig();

  before(() => {
    ensureImages();
    rig.upReal(nodes);
    console.log(`# real-node cluster start: ${rig.startSeconds.toFixed(1)}s`);
    installCrds(rig);
    rig.kubectl(['create', 'namespace', ns]);
    const r = rig.helm(['install', release, chartDir, '-n', ns, ...installArgs, '--wait', '--timeout', '3m']);
    assert.equal(r.status, 0, `helm install failed:\n${r.stderr}\n${r.stdout}\n${diagnose(rig, ns)}`);
  });
  after(() => rig.down());

  test('helm test passes: the hook ran verify in a pod of the image and every pair met the floor', () => {
    const t0 = Date.now();
    const r = rig.helm(['test', release, '-n', ns, '--logs', '--timeout', '5m']);
    console.log(`# helm test (pass): ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    assert.equal(r.status, 0, `helm test failed:\n${r.stderr}\n${r.stdout}\n${diagnose(rig, ns)}`);
    assert.match(r.stdout, /TEST SUITE:\s+iperf3-monitor-verify[\s\S]*Phase:\s+Succeeded/);
    const { exitCode, log, pod } = hookPod(rig);
    console.log(`# hook log:\n${log.split('\n').filter((l) => l.startsWith('|') || l.startsWith('#')).map((l) => `#   ${l}`).join('\n')}`);
    assert.equal(exitCode, 0);
    const cron = oneOf(manifestOf(rig, release, ns), 'CronJob');
    assert.equal(pod.spec.containers[0].image, cron.spec.jobTemplate.spec.template.spec.containers[0].image);
    assert.equal(pod.spec.containers[0].args[0], 'verify');
    assert.equal(pod.spec.serviceAccountName, cron.spec.jobTemplate.spec.template.spec.serviceAccountName);
    assert.match(r.stdout, /POD LOGS: iperf3-monitor-verify[\s\S]*## iperf3-monitor verify: ✅ PASS/, 'helm test --logs shows the summary');
    assert.match(log, /^## iperf3-monitor verify: ✅ PASS$/m);
    assert.match(log, /^6 pairs between 3 nodes, 6 passed, 0 failed;/m);
    assert.match(log, /^Floors: TCP ≥ 50 Mbit\/s; every test must succeed\.$/m);
    const rows = [...log.matchAll(/^\| (node-\w) \| (node-\w) \| tcp \| ([\d.]+) \| – \| 50 \| pass \|$/gm)];
    assert.deepEqual(rows.map((m) => `${m[1]}>${m[2]}`).sort(), allPairs(nodes), log);
    for (const m of rows) assert.ok(Number(m[3]) > 50 && Number(m[3]) < 250, `${m[1]}>${m[2]} ${m[3]} Mbit/s on a 200 Mbit/s link`);
  });

  test('after helm upgrade to a floor no link reaches, helm test exits non-zero and the hook log names every failing pair', () => {
    const up = rig.helm(['upgrade', release, chartDir, '-n', ns, '--reuse-values', '--set', 'verify.minTcpMbps=10000', '--wait', '--timeout', '3m']);
    assert.equal(up.status, 0, `${up.stderr}\n${up.stdout}`);
    const t0 = Date.now();
    const r = rig.helm(['test', release, '-n', ns, '--timeout', '5m']);
    console.log(`# helm test (fail): ${((Date.now() - t0) / 1000).toFixed(1)}s; helm said: ${r.stderr.trim().split('\n').join(' | ')}`);
    assert.notEqual(r.status, 0, `helm test must fail:\n${r.stdout}`);
    assert.match(r.stderr, /iperf3-monitor-verify/);
    const { exitCode, log } = hookPod(rig);
    assert.equal(exitCode, 3, 'verify exits 3 when a pair fails the gate');
    assert.match(log, /^## iperf3-monitor verify: ❌ FAIL$/m);
    assert.match(log, /^6 pairs between 3 nodes, 0 passed, 6 failed;/m);
    assert.deepEqual(failedRows(log), allPairs(nodes), log);
    assert.match(log, /\*\*below-floor\*\*: [\d.]+ Mbit\/s is below the tcp floor of 10000 Mbit\/s/);
    const warned = log
      .split('\n')
      .filter((l) => l.includes('"pair failed the gate"'))
      .map((l) => JSON.parse(l) as { source_node: string; destination_node: string; verdict: string });
    assert.deepEqual(warned.map((w) => `${w.source_node}>${w.destination_node}`).sort(), allPairs(nodes));
    assert.ok(warned.every((w) => w.verdict === 'below-floor'));
  });

  test('back to a reachable floor, helm test passes again (the failed hook pod is replaced)', () => {
    const up = rig.helm(['upgrade', release, chartDir, '-n', ns, '--reuse-values', '--set', 'verify.minTcpMbps=50', '--wait', '--timeout', '3m']);
    assert.equal(up.status, 0, up.stderr);
    const r = rig.helm(['test', release, '-n', ns, '--timeout', '5m']);
    assert.equal(r.status, 0, `${r.stderr}\n${hookPod(rig).log}`);
    assert.equal(hookPod(rig).exitCode, 0);
  });
});
