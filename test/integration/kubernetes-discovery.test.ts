// FAKE API SERVER: a local HTTP server speaking the real Kubernetes wire shapes (PodList, Status), used through the real @kubernetes/client-node, because no control plane runs in these tests (the real one is test/k8s).
// Discovery: what is asked (path, selectors, credentials), what is kept (Running + Ready + IP, one per
// node), and every API failure as one DiscoveryError message; through the CLI, exit 1 and no push.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPodLister, discoverPods } from '../../src/discovery/kubernetes.ts';
import { loadKubeConfig } from '../../src/cli/kubeconfig.ts';
import { DEFAULT_SELECTOR } from '../../src/cli/run-options.ts';
import type { Server } from '../../src/model/types.ts';
import { startRecorder, reply, stall, type HttpRecorder } from '../support/http-recorder.ts';
import { pod, podList, status, writeKubeconfig } from '../support/fake-kube-api.ts';
import { ensureBuilt, logLines, runCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

let dir = '';
let api: HttpRecorder;
let kubeconfig = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-test-'));
  api = await startRecorder(reply(200, podList([]), 'application/json'));
  kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), api.url);
});
after(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  api.requests.length = 0;
});

const answer = (items: object[]) => (api.handler = reply(200, podList(items), 'application/json'));
const discover = (o: { namespace?: string; selector?: string; container?: string; timeoutMs?: number } = {}) =>
  discoverPods(apiPodLister(loadKubeConfig(kubeconfig), o.timeoutMs ?? 5000), {
    ...(o.namespace === undefined && 'namespace' in o ? {} : { namespace: o.namespace ?? 'net' }),
    selector: o.selector ?? DEFAULT_SELECTOR,
    port: 5201,
    ...(o.container ? { container: o.container } : {}),
    server: api.url,
  });

describe('what discovery asks the API', () => {
  test('in a namespace: GET /api/v1/namespaces/<ns>/pods with the label selector, the Running field selector and the kubeconfig token', async () => {
    answer([pod({ name: 'p1', node: 'n1', ip: '10.0.0.1' })]);
    await discover({ namespace: 'net' });
    assert.equal(api.requests.length, 1);
    const r = api.requests[0]!;
    const url = new URL(r.url, api.url);
    assert.deepEqual(
      { method: r.method, path: url.pathname, labelSelector: url.searchParams.get('labelSelector'), fieldSelector: url.searchParams.get('fieldSelector'), auth: r.headers.authorization },
      { method: 'GET', path: '/api/v1/namespaces/net/pods', labelSelector: DEFAULT_SELECTOR, fieldSelector: 'status.phase=Running', auth: 'Bearer test-token' },
    );
  });

  test('in all namespaces: GET /api/v1/pods', async () => {
    answer([pod({ name: 'p1', node: 'n1', ip: '10.0.0.1' })]);
    await discover({ namespace: undefined, selector: 'app=iperf3,tier in (a,b)' });
    const url = new URL(api.requests[0]!.url, api.url);
    assert.equal(url.pathname, '/api/v1/pods');
    assert.equal(url.searchParams.get('labelSelector'), 'app=iperf3,tier in (a,b)');
  });
});

describe('what discovery keeps', () => {
  test('Running and Ready pods with an IP and a node, one per node (the newest), sorted by node', async () => {
    answer([
      pod({ name: 'ok-c', node: 'node-c', ip: '10.0.0.3', namespace: 'other' }),
      pod({ name: 'ok-a', node: 'node-a', ip: '10.0.0.1' }),
      pod({ name: 'pending', node: 'node-d', ip: '10.0.0.4', phase: 'Pending' }),
      pod({ name: 'not-ready', node: 'node-e', ip: '10.0.0.5', ready: false }),
      pod({ name: 'no-ip', node: 'node-f' }),
      pod({ name: 'unscheduled', ip: '10.0.0.7' }),
      pod({ name: 'terminating', node: 'node-g', ip: '10.0.0.8', deleting: true }),
      pod({ name: 'old-b', node: 'node-b', ip: '10.0.0.2', created: '2026-11-20T00:00:00Z' }),
      pod({ name: 'new-b', node: 'node-b', ip: '10.0.0.22', created: '2026-11-26T00:00:00Z', containers: ['server', 'sidecar'] }),
      pod({ name: 'older-b', node: 'node-b', ip: '10.0.0.222', created: '2026-11-01T00:00:00Z' }),
    ]);
    const servers = await discover({ namespace: undefined });
    assert.deepEqual(servers, [
      { node: 'node-a', ip: '10.0.0.1', port: 5201, network: 'host', pod: { namespace: 'net', name: 'ok-a', container: 'iperf3' } },
      { node: 'node-b', ip: '10.0.0.22', port: 5201, network: 'host', pod: { namespace: 'net', name: 'new-b', container: 'server' } },
      { node: 'node-c', ip: '10.0.0.3', port: 5201, network: 'host', pod: { namespace: 'other', name: 'ok-c', container: 'iperf3' } },
    ] satisfies Server[]);
  });

  test('one server per node and network: a node keeps its host-network and its pod-network server, each the newest', async () => {
    answer([
      pod({ name: 'pod-b-old', node: 'node-b', ip: '10.244.2.3', hostNetwork: false, created: '2026-11-20T00:00:00Z' }),
      pod({ name: 'pod-b', node: 'node-b', ip: '10.244.2.4', hostNetwork: false, created: '2026-11-26T00:00:00Z' }),
      pod({ name: 'host-b', node: 'node-b', ip: '10.0.0.2', created: '2026-11-01T00:00:00Z' }),
      pod({ name: 'pod-a', node: 'node-a', ip: '10.244.1.3', hostNetwork: false }),
      pod({ name: 'host-a', node: 'node-a', ip: '10.0.0.1' }),
      pod({ name: 'pod-c', node: 'node-c', ip: '10.244.3.3', hostNetwork: false }),
    ]);
    const servers = await discover({ namespace: undefined });
    assert.deepEqual(
      servers.map((server) => `${server.node} ${server.network} ${server.ip} ${server.pod?.name}`),
      [
        'node-a host 10.0.0.1 host-a',
        'node-a pod 10.244.1.3 pod-a',
        'node-b host 10.0.0.2 host-b',
        'node-b pod 10.244.2.4 pod-b',
        'node-c pod 10.244.3.3 pod-c',
      ],
    );
  });

  test('--server-container overrides the pod\'s first container', async () => {
    answer([pod({ name: 'p1', node: 'n1', ip: '10.0.0.1', containers: ['sidecar', 'iperf3'] })]);
    assert.deepEqual((await discover({ container: 'iperf3' }))[0]!.pod, { namespace: 'net', name: 'p1', container: 'iperf3' });
  });
});

describe('API failures: one DiscoveryError naming the operation, the scope and the reason', () => {
  const scope = () => `list pods in namespace net with selector ${DEFAULT_SELECTOR} at ${api.url}`;
  const forbidden = 'pods is forbidden: User "system:serviceaccount:monitoring:runner" cannot list resource "pods" in API group "" in the namespace "net"';
  const cases: { name: string; handler: () => HttpRecorder['handler']; timeoutMs?: number; reason: string }[] = [
    { name: '401 Unauthorized', handler: () => reply(401, status(401, 'Unauthorized', 'Unauthorized'), 'application/json'), reason: 'HTTP 401' },
    { name: '403 Forbidden (RBAC)', handler: () => reply(403, status(403, 'Forbidden', forbidden), 'application/json'), reason: `HTTP 403: ${forbidden}` },
    { name: '500 from the API server', handler: () => reply(500, status(500, 'InternalError', 'etcdserver: request timed out'), 'application/json'), reason: 'HTTP 500: etcdserver: request timed out' },
    { name: 'a 502 from a proxy with an HTML body', handler: () => reply(502, '<html>Bad Gateway</html>', 'text/html'), reason: 'HTTP 502: <html>Bad Gateway</html>' },
    { name: 'an API server that never answers', handler: () => stall, timeoutMs: 300, reason: 'no answer within 0.3 s' },
    { name: 'no server pods at all', handler: () => reply(200, podList([]), 'application/json'), reason: 'no Running and Ready server pod with an IP (0 pods matched)' },
    {
      name: 'only pods that are not Ready',
      handler: () => reply(200, podList([pod({ name: 'p1', node: 'n1', ip: '10.0.0.1', ready: false }), pod({ name: 'p2', node: 'n2', ip: '10.0.0.2', ready: false })]), 'application/json'),
      reason: 'no Running and Ready server pod with an IP (2 pods matched)',
    },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.reason}`, async () => {
      api.handler = c.handler();
      await assert.rejects(discover(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}), {
        name: 'DiscoveryError',
        operation: 'list pods',
        message: `${scope()}: ${c.reason}`,
      });
    });
  }

  test('an API server that is down → the connection error', async () => {
    const port = await freePort();
    const kc = loadKubeConfig(writeKubeconfig(join(dir, 'down'), `http://127.0.0.1:${port}`));
    await assert.rejects(discoverPods(apiPodLister(kc, 5000), { namespace: 'net', selector: 'app=x', port: 5201 }), (e: Error) => {
      assert.equal(e.name, 'DiscoveryError');
      assert.match(e.message, new RegExp(`^list pods in namespace net with selector app=x: .*ECONNREFUSED.*127\\.0\\.0\\.1:${port}`));
      return true;
    });
  });
});

describe('bad kubeconfig', () => {
  const cases: { name: string; text?: string; message: (path: string) => string }[] = [
    { name: 'a file that does not exist', message: (p) => `load kubeconfig ${p}: no such file` },
    { name: 'a kubeconfig without a current context', text: 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n', message: (p) => `load kubeconfig ${p}: no current context/cluster` },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.message('<file>')}`, () => {
      const p = join(dir, `kc-${c.name.replaceAll(' ', '-')}`);
      if (c.text !== undefined) writeFileSync(p, c.text);
      assert.throws(() => loadKubeConfig(p), { name: 'DiscoveryError', operation: 'load kubeconfig', target: p, message: c.message(p) });
    });
  }

  test('a file that is not YAML → a one-line DiscoveryError', () => {
    const p = join(dir, 'kc-garbage');
    writeFileSync(p, 'clusters: [\n');
    assert.throws(() => loadKubeConfig(p), (e: Error) => {
      assert.equal(e.name, 'DiscoveryError');
      assert.ok(e.message.startsWith(`load kubeconfig ${p}: `), e.message);
      assert.ok(!e.message.includes('\n'), e.message);
      return true;
    });
  });
});

describe('through the CLI', () => {
  let gateway: HttpRecorder;
  before(async () => {
    ensureBuilt();
    gateway = await startRecorder(reply(200, '{"status":"success","data":[]}', 'application/json'));
  });
  after(() => gateway?.close());

  const star = () => ['run', '--kubeconfig', kubeconfig, '--namespace', 'net', '--mode', 'star', '--source-node', 'x', '--output', 'none', '--pushgateway', gateway.url];
  const forbidden = 'pods is forbidden: User "system:serviceaccount:monitoring:runner" cannot list resource "pods" in API group "" in the namespace "net"';
  const cases: { name: string; handler: () => HttpRecorder['handler']; reason: string }[] = [
    { name: '401', handler: () => reply(401, status(401, 'Unauthorized', 'Unauthorized'), 'application/json'), reason: 'HTTP 401' },
    { name: '403', handler: () => reply(403, status(403, 'Forbidden', forbidden), 'application/json'), reason: `HTTP 403: ${forbidden}` },
    { name: '500', handler: () => reply(500, status(500, 'InternalError', 'etcdserver: leader changed'), 'application/json'), reason: 'HTTP 500: etcdserver: leader changed' },
    { name: 'no server pods', handler: () => reply(200, podList([]), 'application/json'), reason: 'no Running and Ready server pod with an IP (0 pods matched)' },
  ];
  for (const c of cases) {
    test(`API ${c.name}: exit 1, one error line, nothing sent to the Pushgateway`, async () => {
      api.handler = c.handler();
      gateway.requests.length = 0;
      const r = await runCli(star());
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      const lines = logLines(r.stderr);
      assert.equal(lines.length, r.stderr.trim().split('\n').length, 'every stderr line is a log line');
      assert.deepEqual(
        lines.filter((l) => (l.level as number) >= 50).map((l) => [l.operation, l.msg]),
        [['list pods', `list pods in namespace net with selector ${DEFAULT_SELECTOR} at ${api.url}: ${c.reason}`]],
      );
      assert.deepEqual(gateway.requests, [], 'nothing pushed: good results of earlier runs stay');
    });
  }

  test('a missing kubeconfig: exit 1 naming the file, nothing pushed', async () => {
    gateway.requests.length = 0;
    const r = await runCli(['run', '--kubeconfig', join(dir, 'nope'), '--mode', 'star', '--source-node', 'x', '--pushgateway', gateway.url]);
    assert.equal(r.code, 1);
    assert.deepEqual(logLines(r.stderr).map((l) => l.msg), [`load kubeconfig ${join(dir, 'nope')}: no such file`]);
    assert.deepEqual(gateway.requests, []);
  });

  test('--dry-run lists the discovered pods', async () => {
    answer([pod({ name: 'srv-b', node: 'n2', ip: '10.0.0.2' }), pod({ name: 'srv-a', node: 'n1', ip: '10.0.0.1' })]);
    const r = await runCli(['run', '--kubeconfig', kubeconfig, '--namespace', 'net', '--dry-run', '--log-level', 'silent']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['2 servers:', '  n1  10.0.0.1:5201  (pod net/srv-a)', '  n2  10.0.0.2:5201  (pod net/srv-b)', '2 tests, in plan order:', '     1  n1 → n2  tcp', '     2  n2 → n1  tcp', ''].join('\n'),
    );
  });
});
