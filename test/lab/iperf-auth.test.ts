import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import type { JsonReport } from '../../src/output/json-report.ts';

// iperf3's RSA authentication on a real 3-node lab: every server runs `iperf3 -s --rsa-private-key-path
// --authorized-users-path` (real iperf3 3.12, a real openssl key pair). With the right credentials every
// pair is measured, and the password reaches iperf3 only through its environment (a wrapper records
// the client's argv); a wrong password, no credentials, or no password are each a failure of kind
// "auth" with a message that says what to check.

const LAB = 'opsa';
const USER = 'monitor';
const PASSWORD = 'correct-horse-7';
let lab: LabState;
let dir: string;
const path = (f: string) => join(dir, f);

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, nodes: 3, nicMbit: 200, slow: [], port: 5201, pushgateway: false });
  dir = mkdtempSync(join(tmpdir(), 'ops-auth-'));
  execFileSync('openssl', ['genrsa', '-out', path('private.pem'), '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['rsa', '-in', path('private.pem'), '-pubout', '-out', path('public.pem')], { stdio: 'ignore' });
  // iperf3's users file: user,sha256("{user}password"); comments allowed.
  const hash = createHash('sha256').update(`{${USER}}${PASSWORD}`).digest('hex');
  writeFileSync(path('users.csv'), `# username,sha256\n${USER},${hash}\n`);
  writeFileSync(path('password'), `${PASSWORD}\n`);
  writeFileSync(path('wrong-password'), 'not-the-password\n');
  // Replace the lab's open servers with authenticating ones (absolute paths: -D changes to /).
  for (const n of lab.spec.nodes) {
    const pids = execFileSync('ip', ['netns', 'pids', n.netns], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    rmSync(join(lab.dir, `${n.name}.pid`), { force: true });
    execFileSync('ip', ['netns', 'exec', n.netns, 'iperf3', '-s', '-p', '5201', '-D', '-I', join(lab.dir, `${n.name}.pid`),
      '--rsa-private-key-path', path('private.pem'), '--authorized-users-path', path('users.csv')]);
  }
  for (const n of lab.spec.nodes) {
    for (let i = 0; i < 100 && !execFileSync('ip', ['netns', 'exec', n.netns, 'ss', '-Hltn', 'sport = :5201'], { encoding: 'utf8' }).trim(); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // A client command that records what each client was started with, then runs it.
  writeFileSync(path('client.sh'), `#!/bin/sh\nnode="$1"; shift\nprintf '%s\\n' "argv: $*" "password-env: \${IPERF3_PASSWORD:+set}" >> ${path('clients.log')}\nexec ip netns exec ${LAB}-"$node" iperf3 "$@"\n`);
  chmodSync(path('client.sh'), 0o755);
});
after(async () => {
  await labDown(LAB);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cycle = async (...extra: string[]) => {
  rmSync(path('clients.log'), { force: true });
  const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', `${path('client.sh')} {node}`, '--duration', '1', '--omit', '0', '--concurrency', '3', '--output', 'json', ...extra], {}, 120_000);
  assert.equal(r.code, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
};
const kinds = (report: JsonReport) => [...new Set(report.pairs.map((p) => (p.success ? 'ok' : p.error!.split(':')[0])))];

test('with the user, the public key and the password file every pair is measured; the password is on no command line', async () => {
  const { report, stderr } = await cycle('--auth-username', USER, '--auth-public-key', path('public.pem'), '--auth-password-file', path('password'));
  assert.equal(report.summary.success, 6, JSON.stringify(report.pairs.filter((p) => !p.success)));
  assert.ok(report.pairs.every((p) => p.bandwidth_mbps! > 150));
  const log = readFileSync(path('clients.log'), 'utf8');
  assert.equal(log.match(/^argv: .* --username monitor --rsa-public-key-path \S+public\.pem$/gm)?.length, 6);
  assert.equal(log.match(/^password-env: set$/gm)?.length, 6);
  assert.ok(!log.includes(PASSWORD) && !stderr.includes(PASSWORD), 'the password appears in no argv and no log');
});

test('the password may come from the client\'s own IPERF3_PASSWORD instead of a file', async () => {
  rmSync(path('clients.log'), { force: true });
  const r = await runCli(['run', '--targets', lab.targetsFile, '--client-command', `${path('client.sh')} {node}`, '--duration', '1', '--omit', '0', '--output', 'json',
    '--auth-username', USER, '--auth-public-key', path('public.pem')], { IPERF3_PASSWORD: PASSWORD }, 120_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as JsonReport).summary.success, 6);
});

test('a wrong password fails every pair as "auth", without retries', async () => {
  const { report } = await cycle('--auth-username', USER, '--auth-public-key', path('public.pem'), '--auth-password-file', path('wrong-password'));
  assert.deepEqual(kinds(report), ['auth']);
  assert.ok(report.pairs.every((p) => p.attempts === 1));
  assert.equal(
    report.pairs[0]!.error,
    "auth: test authorization failed (the server requires iperf3 authentication: check --auth-username, the password and the server's users file)",
  );
});

test('no credentials at all fail every pair as "auth"', async () => {
  const { report } = await cycle();
  assert.deepEqual(kinds(report), ['auth']);
  assert.match(report.pairs[0]!.error!, /^auth: test authorization failed /);
});

test('a user name without any password fails every pair as "auth", saying IPERF3_PASSWORD is missing', async () => {
  const { report } = await cycle('--auth-username', USER, '--auth-public-key', path('public.pem'));
  assert.deepEqual(kinds(report), ['auth']);
  assert.equal(
    report.pairs[0]!.error,
    'auth: iperf3: you must specify a username, password, and path to a valid RSA public key (IPERF3_PASSWORD is not set where the client runs, or the public key is unreadable)',
  );
});
