// iperf3Auth: the servers require iperf3's RSA authentication with keys from an existing Secret. The
// rendered server arguments and runner arguments are then run as real iperf3 and the real runner (the
// Secret's mount path pointed at openssl-made files), so the chart's wiring is tested, not just its text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { one, podSpec, template, templateError, type Obj } from './helm.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

const ON = ['iperf3Auth.enabled=true', 'iperf3Auth.existingSecret=iperf3-auth'];
const MOUNT = '/etc/iperf3-monitor/iperf3-auth';
const container = (o: Obj) => podSpec(o).containers[0];
const secretVolume = { name: 'iperf3-auth', secret: { secretName: 'iperf3-auth', defaultMode: 0o444 } };
const passwordEnv = { name: 'IPERF3_PASSWORD', valueFrom: { secretKeyRef: { name: 'iperf3-auth', key: 'password' } } };

test('off by default: no key, no users file, no password anywhere', () => {
  for (const o of template()) assert.doesNotMatch(JSON.stringify(o), /rsa-|auth-username|IPERF3_PASSWORD|iperf3-auth/, o.kind);
});

test('enabled without a Secret fails the render, naming the value to set', () => {
  assert.match(templateError({ set: ['iperf3Auth.enabled=true'] }), /iperf3Auth\.enabled needs iperf3Auth\.existingSecret/);
  assert.match(templateError({ set: [...ON, 'iperf3Auth.username=a b'] }), /at '\/iperf3Auth\/username'/);
});

test('mesh: the servers get the key, the users file and the password (for the clients exec\'d into them); the runner only names user and key', () => {
  const objs = template({ set: ON });
  const ds = one(objs, 'DaemonSet');
  const c = container(ds);
  assert.deepEqual(c.args.slice(-4), ['--rsa-private-key-path', `${MOUNT}/private.pem`, '--authorized-users-path', `${MOUNT}/users.csv`]);
  assert.deepEqual(c.env, [passwordEnv]);
  assert.deepEqual(c.volumeMounts.at(-1), { name: 'iperf3-auth', mountPath: MOUNT, readOnly: true });
  assert.deepEqual(podSpec(ds).volumes.at(-1), secretVolume);
  const runner = container(one(objs, 'CronJob'));
  assert.deepEqual(runner.args.slice(-4), ['--auth-username', 'iperf3-monitor', '--auth-public-key', `${MOUNT}/public.pem`]);
  assert.doesNotMatch(JSON.stringify(one(objs, 'CronJob')), /IPERF3_PASSWORD|secretName: iperf3-auth/);
});

test('star: the runner pod starts the clients, so it gets the Secret and the password too; custom keys are followed', () => {
  const objs = template({ set: [...ON, 'runner.mode=star', 'iperf3Auth.publicKeyKey=pub', 'iperf3Auth.passwordKey=pw', 'iperf3Auth.username=gate'] });
  const cron = one(objs, 'CronJob');
  const c = container(cron);
  assert.deepEqual(c.args.slice(-4), ['--auth-username', 'gate', '--auth-public-key', `${MOUNT}/pub`]);
  assert.deepEqual(c.env.find((e: Obj) => e.name === 'IPERF3_PASSWORD'), { ...passwordEnv, valueFrom: { secretKeyRef: { name: 'iperf3-auth', key: 'pw' } } });
  assert.deepEqual(c.volumeMounts.at(-1), { name: 'iperf3-auth', mountPath: MOUNT, readOnly: true });
  assert.deepEqual(podSpec(cron).volumes.at(-1), secretVolume);
});

// The rendered arguments against real iperf3: the Secret's files made with openssl in a temp dir.
let dir: string;
let port: number;
let pid: number | undefined;
const PASSWORD = 'from-the-secret';
before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ops-chart-auth-'));
  execFileSync('openssl', ['genrsa', '-out', join(dir, 'private.pem'), '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['rsa', '-in', join(dir, 'private.pem'), '-pubout', '-out', join(dir, 'public.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'users.csv'), `iperf3-monitor,${createHash('sha256').update(`{iperf3-monitor}${PASSWORD}`).digest('hex')}\n`);
  port = await freePort();
  const objs = template({ set: [...ON, `server.port=${port}`] });
  const c = container(one(objs, 'DaemonSet'));
  const args = (c.args as string[]).map((a) => a.replace(MOUNT, dir));
  execFileSync(c.command[0], [...args, '-B', '127.0.0.1', '-D', '-I', join(dir, 'pid')]);
  await waitFor('the rendered iperf3 server', () => execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '');
  pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  writeFileSync(join(dir, 'targets.json'), JSON.stringify([{ node: 'a', ip: '127.0.0.1', port }, { node: 'b', ip: '127.0.0.1', port }]));
});
after(() => {
  if (pid) process.kill(pid, 'SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Run here, outside a cluster: no Pushgateway, no run Lease (it needs the API server).
const OUTSIDE_CLUSTER = new Set(['--pushgateway', '--lease', '--lease-namespace', '--lease-wait', '--lease-duration']);

async function runRendered(env: Record<string, string>) {
  const objs = template({ set: [...ON, 'runner.mode=star', `server.port=${port}`, 'runner.duration=1', 'runner.omit=0', 'runner.busyRetries=0', 'runner.output=json'] });
  const args = (container(one(objs, 'CronJob')).args as string[]).map((a) => a.replace(MOUNT, dir)).filter((a, i, all) => !OUTSIDE_CLUSTER.has(a) && !OUTSIDE_CLUSTER.has(all[i - 1] ?? ''));
  const r = await runCli([...args, '--targets', join(dir, 'targets.json'), '--source-node', 'a'], env, 60_000);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

test('the rendered server and runner arguments authenticate with real iperf3 when the password is in the environment', async () => {
  const report = await runRendered({ IPERF3_PASSWORD: PASSWORD });
  assert.equal(report.summary.success, 1, JSON.stringify(report.pairs));
});

test('the same rendered runner without the Secret\'s password fails the pair as auth', async () => {
  const wrong = await runRendered({ IPERF3_PASSWORD: 'guess' });
  assert.match(wrong.pairs[0]!.error!, /^auth: test authorization failed/);
  const none = await runRendered({});
  assert.match(none.pairs[0]!.error!, /^auth: iperf3: you must specify a username, password/);
});
