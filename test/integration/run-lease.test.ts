// Runs are exclusive cluster-wide through a coordination.k8s.io Lease, against a real kube-apiserver
// (a private one, test/support/control-plane.ts) with RBAC: the runner's user has exactly what the
// chart grants (leases: create; get, update on the Lease's name; pods: get). The real CLI runs a mesh
// on two nodes through a fixture client command (a script that waits and prints a captured result).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { BIN, ensureBuilt, runCli, type CliResult } from '../support/cli.ts';
import { waitFor } from '../support/wait-for.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

const NS = 'rb-lease';
let cp: ControlPlane;
let dir: string;
let args: string[];

before(async () => {
  ensureBuilt();
  cp = await startControlPlane();
  dir = mkdtempSync(join(tmpdir(), 'run-lease-'));
  cp.kubectl('create', 'namespace', NS);
  cp.kubectl('create', 'role', 'runner-lease', '-n', NS, '--verb=create', '--resource=leases.coordination.k8s.io');
  cp.kubectl('create', 'role', 'runner-lease-named', '-n', NS, '--verb=get,update', '--resource=leases.coordination.k8s.io', '--resource-name=iperf3-monitor-run');
  cp.kubectl('create', 'role', 'runner-pods', '-n', NS, '--verb=get', '--resource=pods');
  for (const role of ['runner-lease', 'runner-lease-named', 'runner-pods']) cp.kubectl('create', 'rolebinding', role, '-n', NS, `--role=${role}`, '--user=runner');
  writeFileSync(join(dir, 'client.sh'), `#!/bin/sh\nsleep 3\nexec cat ${resolve('test/fixtures/iperf3/tcp.json')}\n`);
  chmodSync(join(dir, 'client.sh'), 0o755);
  writeFileSync(join(dir, 'targets.json'), JSON.stringify([{ node: 'n1', ip: '127.0.0.1' }, { node: 'n2', ip: '127.0.0.2' }]));
  args = ['run', '--targets', join(dir, 'targets.json'), '--client-command', `${join(dir, 'client.sh')} {node}`, '--output', 'json'];
  args.push('--kubeconfig', cp.runnerKubeconfig, '--lease', 'iperf3-monitor-run', '--lease-namespace', NS, '--lease-duration', '15');
});
after(async () => {
  await cp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const holder = () => {
  const lease = JSON.parse(cp.kubectl('get', 'lease', 'iperf3-monitor-run', '-n', NS, '-o', 'json')) as { spec: { holderIdentity?: string } };
  return lease.spec.holderIdentity;
};

/** Starts a run in the background; resolves when it exits (bounded). */
function background(pod: string): { done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', POD_NAME: pod }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolveDone, reject) => {
    const stuck = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`run ${pod} did not exit within 60 s\n${stderr}`))), 60_000);
    child.on('close', (code) => (clearTimeout(stuck), resolveDone({ code, stdout, stderr })));
  });
  return { done };
}

test('a second run while the first holds the Lease exits 4 naming the holder; the first releases the Lease at exit', async () => {
  const first = background('runner-a');
  await waitFor('runner-a to hold the Lease', () => holder() === 'runner-a', 30_000);
  const second = await runCli([...args, '--lease-wait', '0'], { POD_NAME: 'runner-b' });
  assert.equal(second.code, 4, second.stderr);
  assert.match(second.stderr, /^iperf3-monitor: another run holds Lease rb-lease\/iperf3-monitor-run \(holder runner-a, renewed \S+\); not waiting \(--lease-wait 0\)\n$/m);
  assert.equal(second.stdout, '', 'the second run tested nothing');
  const r = await first.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as JsonReport).summary.success, 2);
  assert.equal(holder(), undefined, 'released at exit');
});

test('with --lease-wait, the second run waits for the first to finish and then runs', async () => {
  const first = background('runner-a');
  await waitFor('runner-a to hold the Lease', () => holder() === 'runner-a', 30_000);
  const second = await runCli([...args, '--lease-wait', '30'], { POD_NAME: 'runner-b' });
  const r = await first.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(second.code, 0, second.stderr);
  const firstEnd = Math.max(...(JSON.parse(r.stdout) as JsonReport).pairs.map((p) => Date.parse(p.started_at!) + p.duration_s! * 1000));
  const secondStart = Math.min(...(JSON.parse(second.stdout) as JsonReport).pairs.map((p) => Date.parse(p.started_at!)));
  assert.ok(secondStart >= firstEnd, `the second run's tests started ${secondStart - firstEnd} ms after the first run's ended`);
  assert.equal(holder(), undefined);
});

test("--deadline counts from this pod's start (read through the API), not from the process start", async () => {
  cp.kubectl('create', 'serviceaccount', 'default', '-n', NS);
  cp.kubectl('run', 'runner-pod', '-n', NS, '--image=example.invalid/runner', '--restart=Never');
  // The pod was created 4 s before the runner process starts: with --deadline 5 counted from the process
  // start, the tests (expected 1.5 s, taking 3 s) would run; counted from the pod's creation they no longer fit.
  await new Promise((r) => setTimeout(r, 4000));
  const r = await runCli([...args, '--duration', '1', '--omit', '0', '--deadline', '5'], { POD_NAME: 'runner-pod', POD_NAMESPACE: NS });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(report.summary, { pairs: 2, success: 0, failure: 0, skipped: 2 });
  assert.ok(report.pairs.every((p) => p.skip_reason === 'deadline'));
});
