// iperf3-bounded (src/bounded-client/iperf3-bounded.c), built for this host the way the Dockerfile builds
// it, around a real iperf3 client against a real iperf3 server on loopback: a normal run passes JSON and
// the exit code through; a closed stdin (the pods/exec stream gone), a deadline, SIGTERM or the helper's
// own SIGKILL leave no `iperf3 -c` behind, checked in the process table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { execCommand, BOUNDED_MARGIN_S } from '../../src/exec/kubernetes-exec-runner.ts';

let helper = '';
let server: Iperf3Server;

before(async () => {
  helper = execFileSync('bash', ['test/tools/build-bounded-client.sh'], { encoding: 'utf8' }).trim();
  server = await startIperf3Server();
});
after(() => server?.stop());

/** Pids of processes whose command line is exactly `iperf3 <args>` (the client under test). */
function clients(args: string[]): number[] {
  const want = ['iperf3', ...args].join('\0');
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0$/, '') === want;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Run {
  const child = spawn(helper, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** A long, rate-limited client (so the tests stay light on a shared machine) to the loopback server. */
const longClient = () => ['-c', '127.0.0.1', '-p', String(server.port), '-t', '60', '-b', '10M', '-J', '--logfile', `/dev/null`];

async function runningClient(args: string[]): Promise<Run> {
  const r = run(['--deadline', '120', '--grace', '1', '--', 'iperf3', ...args]);
  await waitFor('the iperf3 client under iperf3-bounded', () => clients(args).length === 1);
  return r;
}

test('a normal run passes the client JSON and the exit code through', async () => {
  const args = ['-c', '127.0.0.1', '-p', String(server.port), '-t', '1', '-b', '10M', '-J'];
  const r = run(['--deadline', '30', '--', 'iperf3', ...args]);
  const { code } = await r.exit;
  assert.equal(code, 0, r.stderr());
  const json = JSON.parse(r.stdout());
  assert.equal(json.error, undefined);
  assert.ok(json.end.sum_sent.bytes > 0, 'the client sent data');
  assert.equal(r.stderr(), '');
});

test('a failing client keeps its exit code and its stderr', async () => {
  const closed = await freePort();
  const r = run(['--deadline', '30', '--', 'iperf3', '-c', '127.0.0.1', '-p', String(closed), '-t', '1']);
  const { code } = await r.exit;
  assert.equal(code, 1);
  assert.match(r.stderr(), /iperf3: error - unable to connect to server/);
});

test('closing stdin (the exec stream gone) stops the client: exit 129, no iperf3 -c left', async () => {
  const args = longClient();
  const r = await runningClient(args);
  r.child.stdin!.end();
  const { code } = await r.exit;
  assert.equal(code, 129);
  assert.match(r.stderr(), /^iperf3-bounded: stdin closed after \d+\.\d s: stopped iperf3 \(pid \d+\)\n$/);
  assert.deepEqual(clients(args), []);
});

test('data on stdin is dropped and does not stop the client', async () => {
  const args = longClient();
  const r = await runningClient(args);
  r.child.stdin!.write('anything\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(clients(args).length, 1, 'still running after input');
  r.child.stdin!.end();
  assert.equal((await r.exit).code, 129);
  assert.deepEqual(clients(args), []);
});

test('the deadline stops a client that runs too long: exit 124, no iperf3 -c left', async () => {
  const args = longClient();
  const r = run(['--deadline', '1.5', '--grace', '1', '--', 'iperf3', ...args]);
  const { code } = await r.exit;
  assert.equal(code, 124);
  assert.match(r.stderr(), /^iperf3-bounded: deadline reached after 1\.\d s: stopped iperf3 \(pid \d+\)\n$/);
  assert.deepEqual(clients(args), []);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the helper stops the client: exit 128 + the signal, no iperf3 -c left`, async () => {
    const args = longClient();
    const r = await runningClient(args);
    r.child.kill(signal);
    const { code } = await r.exit;
    assert.equal(code, signal === 'SIGTERM' ? 143 : 130);
    assert.deepEqual(clients(args), []);
  });
}

test('SIGKILL of the helper itself still takes the client down (parent-death signal)', async () => {
  const args = longClient();
  const r = await runningClient(args);
  r.child.kill('SIGKILL');
  await r.exit;
  await waitFor('the orphaned client to be killed', () => clients(args).length === 0);
});

test('the server serves the next client after a stopped one (once it has noticed, as the runner retries)', async () => {
  const args = longClient();
  const r = await runningClient(args);
  r.child.stdin!.end();
  await r.exit;
  // The server learns of the vanished client from its control connection; until then it answers
  // "busy", and while it re-opens its listening socket a client may be reset or refused: all three are
  // what the runner retries with backoff (--busy-retries). Three tries, 1 s apart, here.
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const next = run(['--deadline', '30', '--', 'iperf3', '-c', '127.0.0.1', '-p', String(server.port), '-t', '1', '-b', '10M', '-J']);
    await next.exit;
    const json = JSON.parse(next.stdout());
    if (json.error === undefined) {
      assert.ok(json.end.sum_sent.bytes > 0);
      return;
    }
    last = json.error;
    assert.match(last, /busy|reset|refused/, 'the only acceptable failures are the ones the runner retries');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.fail(`the server stayed busy after the stopped client: ${last}`);
});

test('bad usage exits 125 with a message naming the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['iperf3', '-v'], /^iperf3-bounded: --deadline is required\n/],
    [['--deadline', 'soon', '--', 'iperf3'], /^iperf3-bounded: --deadline must be a positive number of seconds, got "soon"\n$/],
    [['--deadline', '5'], /^iperf3-bounded: PROGRAM is missing\n/],
    [['--wait', '5', 'iperf3'], /^iperf3-bounded: unknown flag --wait\n/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal((await r.exit).code, 125, args.join(' '));
    assert.match(r.stderr(), message);
  }
});

test('a program that does not exist exits 127', async () => {
  const r = run(['--deadline', '5', '--', 'no-such-iperf3']);
  r.child.stdin!.end(); // the exec error is known before stdin is watched, so it decides
  assert.equal((await r.exit).code, 127);
  assert.match(r.stderr(), /^iperf3-bounded: cannot run no-such-iperf3: No such file or directory\n/);
});

test('pods/exec runs iperf3 under the helper with the test timeout plus the margin as its deadline', () => {
  assert.deepEqual(execCommand('iperf3', ['-c', '10.0.0.2', '-J'], 12_500, 'iperf3-bounded'), [
    'iperf3-bounded', '--deadline', String(13 + BOUNDED_MARGIN_S), '--', 'iperf3', '-c', '10.0.0.2', '-J',
  ]);
  assert.deepEqual(execCommand('/usr/bin/iperf3', ['-v'], 1000, ''), ['/usr/bin/iperf3', '-v']);
});

test('--bounded-client defaults to iperf3-bounded; an empty value turns the helper off', async () => {
  const { default: yargs } = await import('yargs');
  const { runOptions, DEFAULT_SELECTOR } = await import('../../src/cli/run-options.ts');
  const { buildRunConfig } = await import('../../src/config/run-config.ts');
  const parse = async (argv: string[]) => {
    const a = (await runOptions(yargs(argv)).parse()) as Record<string, unknown>;
    assert.equal(a.selector, DEFAULT_SELECTOR);
    return buildRunConfig(a as never, {}, { readText: () => '', serviceAccountNamespace: () => 'monitoring' });
  };
  assert.equal((await parse([])).boundedClient, 'iperf3-bounded');
  assert.equal((await parse(['--bounded-client', '/opt/bin/iperf3-bounded'])).boundedClient, '/opt/bin/iperf3-bounded');
  assert.equal((await parse(['--bounded-client', ''])).boundedClient, undefined);
});
