import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { restartServer, serverPid } from '../support/lab-faults.ts';
import { BIN, ensureBuilt, logLines, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { waitFor } from '../support/wait-for.ts';
import { labName } from '../support/lab-name.ts';

// Stops from outside and servers that come and go, on a real lab: SIGTERM (a Job's
// activeDeadlineSeconds) mid-cycle kills the running clients and still pushes what completed;
// a server restarting mid-cycle, or busy with someone else's test, is retried instead of being
// reported down; a server slow to answer is waited for within the test timeout; a node vanishing after
// discovery fails its own pairs, quickly, and nothing else.

let lab: LabState;
let gw: RealPushgateway;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: labName('term'), nodes: 4, nicMbit: 200, slow: [], port: 5201, pushgateway: false });
  gw = await startPushgateway();
});
after(async () => {
  await gw?.stop();
  await labDown(labName('term'));
});

test('SIGTERM mid-cycle stops the clients, pushes the completed results and exits 143 within a second', async () => {
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '2', '--omit', '0', '--pushgateway', gw.url, '--output', 'json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // Wait for the first round (4 tests of 2 s) to complete, then stop the second round half-way.
  await waitFor('the first round of 4 tests to succeed', () => logLines(stderr).filter((l) => l.msg === 'test succeeded').length >= 4, 30_000);
  await new Promise((r) => setTimeout(r, 800));
  const sentAt = Date.now();
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve, reject) => {
    const stuck = setTimeout(() => reject(new Error(`the runner did not exit within 30 s of SIGTERM\n${stderr}`)), 30_000);
    child.on('close', (exit) => (clearTimeout(stuck), resolve(exit)));
  });
  const exitMs = Date.now() - sentAt;
  assert.equal(code, 143, stderr);
  // Prompt, not timed: a loaded machine may take a few seconds, a run that waited out its tests would take far longer.
  assert.ok(exitMs < 5000, `exited ${exitMs} ms after SIGTERM`);
  const report = JSON.parse(stdout) as { summary: { success: number; failure: number; skipped: number } };
  assert.equal(report.summary.success, 4);
  assert.equal(report.summary.failure, 0);
  assert.equal(report.summary.skipped, 8);
  const text = await gw.metrics();
  assert.equal([...text.matchAll(/^iperf_network_bandwidth_mbps\{/gm)].length, 4);
  assert.match(text, /^iperf_run_pairs\{instance="",job="iperf3-monitor",outcome="skipped"\} 8$/m);
  // No iperf3 client is left behind in the lab's namespaces: each holds only its server.
  const { execFileSync } = await import('node:child_process');
  for (const n of lab.spec.nodes) {
    const pids = execFileSync('ip', ['netns', 'pids', n.netns], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(pids, [String(serverPid(lab, n.name))], `${n.name} still runs ${pids.length - 1} other processes`);
  }
});

test('a server that restarts during the cycle is retried, not reported down', async () => {
  const pid = serverPid(lab, 'n3');
  process.kill(pid, 'SIGKILL');
  // It comes back 1.5 s into the cycle: the first tests to it are refused, the retry gets through.
  const back = new Promise<void>((resolve, reject) => setTimeout(() => restartServer(lab, 'n3').then(resolve, reject), 1500));
  const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '1', '--omit', '0', '--output', 'json']);
  await back;
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { summary: { success: number }; pairs: { destination_node: string; success: boolean; attempts: number }[] };
  assert.equal(report.summary.success, 12, r.stdout);
  assert.ok(report.pairs.some((p) => p.destination_node === 'n3' && p.attempts > 1), 'a test to n3 was retried');
});

test('a server busy with another client for a while is retried until it is free, and measured', async () => {
  // Someone else's 3 s test into n3, started just before the cycle: the first tests to n3 hear "busy".
  const n1 = lab.spec.nodes.find((n) => n.name === 'n1')!;
  const n3 = lab.spec.nodes.find((n) => n.name === 'n3')!;
  const { spawn: spawnChild } = await import('node:child_process');
  const other = spawnChild('ip', ['netns', 'exec', n1.netns, 'iperf3', '-c', n3.ip, '-t', '3'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '1', '--omit', '0', '--output', 'json', '--concurrency', '1']);
  await new Promise((resolve) => (other.exitCode !== null ? resolve(null) : other.on('exit', resolve)));
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { summary: { success: number; failure: number }; pairs: { destination_node: string; attempts: number }[] };
  assert.equal(report.summary.failure, 0, r.stdout);
  assert.ok(report.pairs.some((p) => p.destination_node === 'n3' && p.attempts > 1), 'a test to n3 met the busy server and was retried');
});

test('a server slow to answer (paused 2 s) is measured within its timeout, not failed', async () => {
  // --interference off: the waited-for reading is low, and a re-test would replace the duration this reads.
  const pid = serverPid(lab, 'n2');
  process.kill(pid, 'SIGSTOP');
  const resume = setTimeout(() => process.kill(pid, 'SIGCONT'), 2000);
  try {
    const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '1', '--omit', '0', '--output', 'json', '--interference', 'off']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { summary: { success: number; failure: number }; pairs: { destination_node: string; duration_s: number }[] };
    assert.equal(report.summary.failure, 0, r.stdout);
    const slowest = Math.max(...report.pairs.filter((p) => p.destination_node === 'n2').map((p) => p.duration_s));
    assert.ok(slowest >= 2, `the first test to n2 waited for it (${slowest} s)`);
  } finally {
    clearTimeout(resume);
    process.kill(pid, 'SIGCONT');
  }
});

test('--deadline ends the cycle in time: what cannot finish is skipped, not failed, and the rest is pushed', async () => {
  const started = Date.now();
  const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '2', '--omit', '0', '--output', 'json', '--deadline', '3', '--pushgateway', gw.url]);
  const took = (Date.now() - started) / 1000;
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { summary: { success: number; failure: number; skipped: number } };
  // One round of 4 tests (2 s + 0.5 s expected each) fits in 3 s; the next cannot start.
  assert.deepEqual(report.summary, { pairs: 12, success: 4, failure: 0, skipped: 8 });
  // The second round (2 s tests) would end past 4 s; the bound leaves a loaded machine's start-up noise.
  assert.ok(took < 3 + 5, `the run took ${took} s with a 3 s deadline`);
  assert.match(await gw.metrics(), /^iperf_run_pairs\{instance="",job="iperf3-monitor",outcome="skipped"\} 8$/m);
});

// Last: it removes n4 from the lab for good.
test('a node vanishing after discovery fails exactly its pairs and the cycle still ends near the floor', async () => {
  // n4 disappears 0.5 s into the cycle: its namespace, its server and its link are gone.
  const n4 = lab.spec.nodes.find((n) => n.name === 'n4')!;
  const { execFileSync } = await import('node:child_process');
  const vanish = new Promise<void>((resolve) =>
    setTimeout(() => {
      for (const pid of execFileSync('ip', ['netns', 'pids', n4.netns], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      execFileSync('ip', ['netns', 'del', n4.netns]);
      resolve();
    }, 500),
  );
  const started = Date.now();
  const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--duration', '1', '--omit', '0', '--output', 'json', '--busy-retries', '1']);
  await vanish;
  const took = (Date.now() - started) / 1000;
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { pairs: { source_node: string; destination_node: string; success: boolean; error: string | null }[] };
  const failed = report.pairs.filter((p) => !p.success);
  // The test running into n4 when it vanished may have completed; every later one involving n4 fails.
  assert.ok(failed.every((p) => p.source_node === 'n4' || p.destination_node === 'n4'), JSON.stringify(failed));
  assert.ok(failed.length >= 5, `only ${failed.length} of n4's 6 pairs failed`);
  assert.ok(report.pairs.filter((p) => p.source_node !== 'n4' && p.destination_node !== 'n4').every((p) => p.success));
  // Floor 3 s; one connect timeout (3 s) plus test slack bounds the loss.
  assert.ok(took < 3 + 3 + 5 + 3, `took ${took} s`);
});
