// The client side of iperf3 authentication: which flags go together, where the password may come from,
// and the exact message for each mistake. The password file is a real temporary file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIperfAuth, type RawAuthOptions } from '../../src/config/iperf-auth.ts';
import { clientArgs } from '../../src/iperf/client-args.ts';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'iperf-auth-'));
  writeFileSync(join(dir, 'pw'), 'pa55\n');
  writeFileSync(join(dir, 'empty'), '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));
const files = { readText: (p: string) => readFileSync(p, 'utf8'), serviceAccountNamespace: () => undefined };
const build = (o: RawAuthOptions, podsExec = false) => buildIperfAuth(o, files, podsExec);

test('user, key and password file: the password is read, the final newline trimmed', () => {
  assert.deepEqual(build({ authUsername: 'mon', authPublicKey: '/k.pem', authPasswordFile: join(dir, 'pw') }), { username: 'mon', publicKeyPath: '/k.pem', password: 'pa55' });
});

test('without a password file the client\'s own IPERF3_PASSWORD is used; pods/exec is fine then', () => {
  assert.deepEqual(build({ authUsername: 'mon', authPublicKey: '/etc/k.pem' }, true), { username: 'mon', publicKeyPath: '/etc/k.pem' });
});

test('no auth flags: no authentication', () => {
  assert.equal(build({}), undefined);
});

test('the client gets --username and --rsa-public-key-path, and no password', () => {
  const pair = { source: { node: 'a', ip: '10.0.0.1', port: 5201 }, destination: { node: 'b', ip: '10.0.0.2', port: 5201 }, protocol: 'tcp' as const };
  const args = clientArgs(pair, { durationS: 5, omitS: 0, parallel: 1, udpBitrate: '1M', connectTimeoutS: 3, auth: { username: 'mon', publicKeyPath: '/k.pem' } });
  assert.deepEqual(args.slice(-4), ['--username', 'mon', '--rsa-public-key-path', '/k.pem']);
});

const rejections: [string, RawAuthOptions, boolean, string][] = [
  ['a key without a user', { authPublicKey: '/k.pem' }, false, '--auth-username must be a user name without spaces or commas (with --auth-public-key), got ""'],
  ['a user with a comma', { authUsername: 'a,b', authPublicKey: '/k.pem' }, false, '--auth-username must be a user name without spaces or commas (with --auth-public-key), got "a,b"'],
  ['a user without a key', { authUsername: 'mon' }, false, "--auth-username needs --auth-public-key: the server's RSA public key (PEM) that encrypts the credentials"],
  ['a password file alone', { authPasswordFile: '/pw' }, false, '--auth-password-file needs --auth-username and --auth-public-key'],
  ['an empty password file', { authUsername: 'mon', authPublicKey: '/k', authPasswordFile: join('DIR', 'empty') }, false, '--auth-password-file DIR/empty is empty'],
  ['a password file with pods/exec', { authUsername: 'mon', authPublicKey: '/k', authPasswordFile: '/pw' }, true,
    '--auth-password-file cannot reach a client started through pods/exec: give the server pods IPERF3_PASSWORD (the chart does, with iperf3Auth.enabled)'],
];
for (const [name, o, podsExec, message] of rejections) {
  test(`rejects ${name}`, () => {
    const fix = (s?: string) => s?.replace('DIR', dir);
    const given = { ...o, ...(o.authPasswordFile ? { authPasswordFile: fix(o.authPasswordFile) } : {}) };
    assert.throws(() => build(given, podsExec), { name: 'ConfigError', message: message.replace('DIR', dir) });
  });
}

test('an unreadable password file names the flag and the file', () => {
  assert.throws(() => build({ authUsername: 'mon', authPublicKey: '/k', authPasswordFile: join(dir, 'nope') }), {
    name: 'ConfigError',
    message: `--auth-password-file ${join(dir, 'nope')}: cannot read: ENOENT`,
  });
});
