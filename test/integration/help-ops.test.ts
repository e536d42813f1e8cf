// --help is true to the code for the gate, the HTML page and authentication: every flag listed, the
// exit codes of verify said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, runCli } from '../support/cli.ts';

test('verify --help lists every run option, the gate options and the exit codes', async () => {
  ensureBuilt();
  const r = await runCli(['verify', '--help']);
  assert.equal(r.code, 0);
  for (const f of ['targets', 'pushgateway', 'output', 'min-tcp-mbps', 'min-udp-mbps', 'baseline-ratio', 'baseline-source', 'prometheus', 'baseline-window', 'junit', 'markdown', 'push']) {
    assert.match(r.stdout, new RegExp(`^ +--${f} `, 'm'), `--${f} is listed`);
  }
  assert.match(r.stdout.replace(/\s+/g, ' '), /Exit codes: 0 every pair passed, 3 a pair failed the gate \(below a floor, its test failed, or not tested\), 1 a run-level failure \(discovery, push, baseline\), 2 invalid configuration\./);
});

test('run --help lists the authentication options and --output html FILE', async () => {
  const r = await runCli(['run', '--help']);
  for (const f of ['auth-username', 'auth-public-key', 'auth-password-file']) assert.match(r.stdout, new RegExp(`^ +--${f} `, 'm'));
  assert.match(r.stdout.replace(/\s+/g, ' '), /html FILE: a self-contained page with the colour matrix \(no network fetches\)/);
  assert.match(r.stdout.replace(/\s+/g, ' '), /handed to iperf3 as IPERF3_PASSWORD, never on a command line/);
});

test('run --help says selectors may be set-based and targets take a network', async () => {
  const r = await runCli(['run', '--help']);
  const text = r.stdout.replace(/\s+/g, ' ');
  assert.match(text, /Label selector of the server pods, equality- or set-based \(e\.g\. "…,app\.kubernetes\.io\/component in \(server,server-pod\)" for both networks\)/);
  assert.match(text, /a JSON or YAML list of \{node, ip, port\?, network\?\} \(network: host or pod, default host\)/);
});
