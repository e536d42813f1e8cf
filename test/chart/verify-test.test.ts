// The gate as a Helm test (verify.enabled): a hook Pod that runs `iperf3-monitor verify` with the runner's
// settings, ServiceAccount and security context. Its rendered arguments are run by the real CLI against a
// real iperf3 server and Pushgateway, so the chart and `verify` cannot drift apart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, one, podSpec, template, templateError, type Obj } from './helm.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';

const hooks = (set: string[]) => template({ set }).filter((o) => o.metadata.annotations?.['helm.sh/hook']);
const verifyPod = (set: string[] = []): Obj => {
  const found = hooks(['verify.enabled=true', ...set]);
  assert.equal(found.length, 1);
  return found[0]!;
};

test('no Helm test unless verify.enabled', () => {
  assert.deepEqual(hooks([]), []);
});

test('the test is a Pod (helm test --logs reads only Pods) with helm.sh/hook: test, kept for its logs until the next test, with the runner\'s identity and security', () => {
  const objs = template({ set: ['verify.enabled=true'] });
  const pod = one(objs, 'Pod');
  const cron = one(objs, 'CronJob');
  assert.equal(pod.metadata.name, 'mon-iperf3-monitor-verify');
  assert.deepEqual(pod.metadata.annotations, { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
  assert.equal(objs.filter((o) => o.kind === 'Job').length, 0);
  const spec = podSpec(pod);
  const runner = podSpec(cron);
  assert.equal(spec.activeDeadlineSeconds, 600);
  assert.equal(spec.restartPolicy, 'Never');
  assert.equal(spec.serviceAccountName, runner.serviceAccountName);
  assert.deepEqual(spec.securityContext, runner.securityContext);
  assert.deepEqual(spec.containers[0].securityContext, runner.containers[0].securityContext);
  assert.equal(spec.containers[0].image, runner.containers[0].image);
  assert.equal(pod.metadata.labels['app.kubernetes.io/component'], 'runner');
  assert.equal(pod.metadata.labels['app.kubernetes.io/instance'], 'mon');
});

test('the runner\'s pod labels reach the test pod, and a label also in commonLabels renders once', () => {
  const pod = one(template({ set: ['verify.enabled=true', 'runner.podLabels.team=net', 'commonLabels.team=infra'] }), 'Pod');
  assert.equal(pod.metadata.labels.team, 'net');
});

test('the test runs verify with every runner argument, then every pair within its own deadline and the floors', () => {
  const objs = template({ set: ['verify.enabled=true', 'verify.minTcpMbps=900', 'verify.minUdpMbps=80', 'verify.baselineRatio=0.7', 'runner.maxPairs=10'] });
  const args: string[] = podSpec(one(objs, 'Pod')).containers[0].args;
  const runnerArgs: string[] = podSpec(one(objs, 'CronJob')).containers[0].args;
  assert.equal(args[0], 'verify');
  assert.deepEqual(args.slice(1, runnerArgs.length), runnerArgs.slice(1));
  assert.deepEqual(args.slice(runnerArgs.length), [
    '--max-pairs', '0', '--deadline', '570', '--output', 'none', '--markdown', '-',
    '--min-tcp-mbps', '900', '--min-udp-mbps', '80', '--baseline-ratio', '0.7', '--baseline-source', 'pushgateway',
  ]);
});

test('a Prometheus baseline carries its URL and window', () => {
  const args: string[] = podSpec(verifyPod(['verify.baselineRatio=0.5', 'verify.baselineSource=prometheus', 'verify.prometheusUrl=http://prometheus.monitoring.svc:9090', 'verify.baselineWindow=7d'])).containers[0].args;
  assert.equal(flag(args, '--baseline-source'), 'prometheus');
  assert.equal(flag(args, '--prometheus'), 'http://prometheus.monitoring.svc:9090');
  assert.equal(flag(args, '--baseline-window'), '7d');
});

test('bad gate values fail the render with a message naming the value', () => {
  assert.match(templateError({ set: ['verify.enabled=true', 'verify.baselineRatio=0.5', 'verify.baselineSource=prometheus'] }), /verify\.baselineSource=prometheus needs verify\.prometheusUrl/);
  assert.match(templateError({ set: ['verify.enabled=true', 'verify.baselineSource=thanos'] }), /at '\/verify\/baselineSource': value must be one of 'pushgateway', 'prometheus'/);
  assert.match(templateError({ set: ['verify.enabled=true', 'verify.baselineRatio=1.5'] }), /at '\/verify\/baselineRatio'/);
  assert.match(templateError({ set: ['verify.enabled=true', 'verify.activeDeadlineSeconds=30'] }), /verify\.activeDeadlineSeconds \(30\) must exceed runner\.deadlineMarginSeconds \(30\)/);
  assert.match(templateError({ set: ['verify.extraArg={x}'] }), /at '\/verify': additional properties 'extraArg' not allowed/);
});

let server: Iperf3Server;
let gw: RealPushgateway;
let dir: string;
before(async () => {
  ensureBuilt();
  server = await startIperf3Server();
  gw = await startPushgateway();
  dir = mkdtempSync(join(tmpdir(), 'ops-chart-verify-'));
  writeFileSync(join(dir, 'targets.json'), JSON.stringify([{ node: 'here', ip: '127.0.0.1', port: server.port }, { node: 'there', ip: '127.0.0.1', port: server.port }]));
});
after(async () => {
  server?.stop();
  await gw?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The rendered arguments, run by the real CLI with discovery and the gateway pointed at local ones. */
async function runRendered(set: string[]) {
  const rendered: string[] = podSpec(verifyPod(['runner.mode=star', 'runner.duration=1', 'runner.omit=0', 'runner.busyRetries=0', ...set]))
    .containers[0].args;
  // Here, outside a cluster: no run Lease (it needs the API server; in the cluster the test holds it too).
  const lease = new Set(['--lease', '--lease-namespace', '--lease-wait', '--lease-duration']);
  const args = rendered.filter((arg, index) => !lease.has(arg) && !lease.has(rendered[index - 1] ?? ''));
  return runCli([...args, '--targets', join(dir, 'targets.json'), '--source-node', 'here', '--pushgateway', gw.url], {}, 60_000);
}

test('the rendered test passes with floors the path meets: exit 0 and a PASS summary in the log', async () => {
  const r = await runRendered(['verify.minTcpMbps=1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^## iperf3-monitor verify: ✅ PASS$/m);
  assert.match(r.stdout, /^\| here \| there \| tcp \| \d+(\.\d)? \| – \| 1 \| pass \|$/m);
});

test('the rendered test fails with a floor the path cannot meet: exit 3, the pair and the numbers in the log', async () => {
  const r = await runRendered(['verify.minTcpMbps=100000000']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /^## iperf3-monitor verify: ❌ FAIL$/m);
  assert.match(r.stdout, /^\| here \| there \| tcp \| \d+(\.\d)? \| – \| 100000000 \| \*\*below-floor\*\*: \d+(\.\d)? Mbit\/s is below the tcp floor of 100000000 Mbit\/s \|$/m);
});
