// Backs the chart's probe choice with the real iperf3 (3.12 here): a TCP connect-and-close, which is all a
// kubelet tcpSocket probe does, neither wedges an idle server nor disturbs a running test (at most a
// connection in the same instant is refused or reset while 3.12 re-opens its listener); a silent client that keeps
// its connection open does hold the server, which is why no probe may do that.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/free-port.ts';

const servers: ChildProcess[] = [];
after(() => servers.forEach((s) => s.kill('SIGKILL')));

async function startServer(args: string[] = []): Promise<number> {
  const port = await freePort();
  const s = spawn('iperf3', ['-s', '-p', String(port), '--rcv-timeout', '10000', '--idle-timeout', '60', ...args], { stdio: 'ignore' });
  servers.push(s);
  for (let i = 0; i < 50; i++) {
    if ((await probe(port)) === 'ok') {
      await sleep(300); // the start-up probe is itself an empty connection: let the server re-open its listener
      return port;
    }
    await sleep(100);
  }
  throw new Error(`iperf3 server on ${port} did not listen`);
}

/** What a kubelet tcpSocket probe does: connect, then close at once. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve('ok'); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

type ClientResult = { error?: string; bitsPerSecond?: number; seconds: number };
function client(port: number, seconds = 1): Promise<ClientResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-J', '--connect-timeout', '3000'], { timeout: 30_000 }, (_err, stdout) => {
      const elapsed = (Date.now() - started) / 1000;
      try {
        const j = JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1));
        resolve({ error: j.error, bitsPerSecond: j.end?.sum_received?.bits_per_second, seconds: elapsed });
      } catch {
        resolve({ error: `unparsable output: ${stdout.slice(0, 200)}`, seconds: elapsed });
      }
    });
  });
}

test('probes never wedge an idle server: it listens again within a second and serves the next client', async () => {
  const port = await startServer();
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) seen.push(await probe(port));
  // 3.12 re-creates its listening socket after a control connection that sent nothing, so a connection
  // in that instant can be refused or reset (a retry succeeds); it is never held.
  assert.ok(seen.every((x) => x === 'ok' || x === 'ECONNREFUSED' || x === 'ECONNRESET'), seen.join(' '));
  let listening = false;
  for (let i = 0; i < 10 && !listening; i++) listening = (await probe(port)) === 'ok' || (await sleep(100), false);
  assert.ok(listening);
  await sleep(300); // that probe was an empty connection too
  const r = await client(port);
  assert.equal(r.error, undefined);
  assert.ok((r.bitsPerSecond ?? 0) > 0);
});

test('probes during a running test neither break that test nor the next one', async () => {
  const port = await startServer();
  const running = client(port, 2);
  await sleep(700);
  for (let i = 0; i < 3; i++) {
    assert.equal(await probe(port), 'ok');
    await sleep(200);
  }
  const first = await running;
  assert.equal(first.error, undefined);
  assert.ok((first.bitsPerSecond ?? 0) > 0);
  const next = await client(port);
  assert.equal(next.error, undefined);
});

test('a client that connects and sends nothing holds the server until it disconnects', async () => {
  const port = await startServer();
  const silent = connect(port, '127.0.0.1');
  let silentError: Error | undefined;
  silent.on('error', (e) => { silentError = e; });
  await new Promise((r) => silent.once('connect', r));
  const blocked = client(port);
  await sleep(2000);
  silent.destroy();
  const r = await blocked;
  assert.equal(silentError, undefined, 'the silent connection stayed open');
  assert.ok(r.error !== undefined || r.seconds >= 1.9, `client was not held: ${JSON.stringify(r)}`);
  const after = await client(port);
  assert.equal(after.error, undefined, 'the server serves again once the silent client is gone');
});
