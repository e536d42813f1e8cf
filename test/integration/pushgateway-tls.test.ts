import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeHttp } from '../../src/cli/push-transport.ts';
import { pushgateway } from '../../src/push/pushgateway.ts';

// A Pushgateway behind TLS with a private CA (--pushgateway-ca-file): a real HTTPS server on loopback
// with a certificate made for the test by openssl. The runner trusts it only with the CA file.

let dir: string;
let server: Server;
let url: string;
const received: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=pushgateway.test',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (http: ReturnType<typeof nodeHttp>) => pushgateway({ url, timeoutMs: 5000, retries: 0, http, sleep: async () => {} });

test('with --pushgateway-ca-file the push goes through TLS to a gateway signed by that CA', async () => {
  await client(nodeHttp(join(dir, 'cert.pem'))).put([['job', 'iperf3-monitor'], ['source_node', 'n1']], 'x 1\n');
  assert.deepEqual(received, ['PUT /metrics/job/iperf3-monitor/source_node/n1']);
});

test('without it the certificate is refused, and the error says so', async () => {
  await assert.rejects(client(nodeHttp()).put([['job', 'iperf3-monitor']], 'x 1\n'), (e: Error) => {
    assert.equal(e.name, 'PushError');
    assert.match(e.message, /^push \(PUT\) https:\/\/127\.0\.0\.1:\d+\/metrics\/job\/iperf3-monitor: DEPTH_ZERO_SELF_SIGNED_CERT \(self-signed certificate\)$/);
    return true;
  });
});
