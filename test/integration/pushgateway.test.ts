// Pushing a cycle's results to a REAL Pushgateway (Debian's prometheus-pushgateway, no persistence):
// groups, deletion of vanished nodes, @base64 round trips, the gateway's own 400. What a real gateway
// cannot be made to do on demand (answer 503, stall, refuse) comes from a real local HTTP server.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { pushgateway, type Pushgateway } from '../../src/push/pushgateway.ts';
import { pushResults } from '../../src/push/push-results.ts';
import { groupPath } from '../../src/push/grouping-key.ts';
import { readGatewayState } from '../../src/push/previous-results.ts';
import { runRegistry, sourceRegistries } from '../../src/metrics/registries.ts';
import { nodeHttp, pushHeaders } from '../../src/cli/push-transport.ts';
import { RUN_METRICS } from '../../src/metrics/names.ts';
import type { PairResult, Protocol } from '../../src/model/types.ts';
import { startPushgateway, wipe, type RealPushgateway } from '../support/pushgateway.ts';
import { startRecorder, reply, stall, type HttpRecorder } from '../support/http-recorder.ts';
import { freePort } from '../support/free-port.ts';

const JOB = 'iperf3-monitor';
// iperf_test_skipped has samples only when a test was skipped; a family without samples is not kept.
const RUN_METRIC_NAMES = Object.values(RUN_METRICS).map((m) => m.name).filter((name) => name !== RUN_METRICS.skipped.name).sort();
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

type Spec = [source: string, destination: string, status: 'success' | 'failure' | 'skipped', mbps?: number, protocol?: Protocol];

function results(specs: Spec[]): PairResult[] {
  return specs.map(([s, d, status, mbps, protocol = 'tcp'], i) => {
    const server = (node: string) => ({ node, ip: `10.0.0.${i + 1}`, port: 5201 });
    const pair = { source: server(s), destination: server(d), protocol };
    if (status === 'skipped') return { pair, status, skipped: 'deadline', startedAt: 0, finishedAt: 0, attempts: 1 };
    const timing = { startedAt: T0 + i * 1000, finishedAt: T0 + i * 1000 + 2000, attempts: 1 };
    if (status === 'failure') return { pair, status, failure: { kind: 'refused', message: 'unable to connect to server: Connection refused' }, ...timing };
    const measurement =
      protocol === 'udp' ? { bandwidthMbps: mbps ?? 100, jitterMs: 0.5, packets: 1000, lostPackets: 2 } : { bandwidthMbps: mbps ?? 940.5, retransmits: 3, rttSeconds: 0.0002 };
    return { pair, status, measurement, ...timing };
  });
}

async function publish(gw: Pushgateway, specs: Spec[], live: string[], job = JOB) {
  const rs = results(specs);
  const run = runRegistry(rs, { durationS: 12.5, servers: live.length, endedAt: T0 + 60_000, carried: 0 });
  const { groups: existing } = await readGatewayState(gw.samples(), job);
  return pushResults(gw, { job, sources: sourceRegistries(rs), run, liveNodes: new Set(live), existing, emptied: [] });
}

interface ApiGroup {
  labels: Record<string, string>;
  [metric: string]: unknown;
}
type ApiMetric = { type: string; metrics: { labels: Record<string, string>; value: string }[] };

async function apiGroups(url: string): Promise<ApiGroup[]> {
  return ((await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: ApiGroup[] }).data;
}
const canonical = (g: Record<string, string>) => Object.fromEntries(Object.entries(g).sort(([a], [b]) => (a < b ? -1 : 1)));
/** Groups with their labels in name order, sorted: comparable whatever order the gateway lists them in. */
const sortGroups = (gs: Record<string, string>[]) =>
  gs.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
function findGroup(groups: ApiGroup[], labels: Record<string, string>): ApiGroup | undefined {
  return groups.find((g) => JSON.stringify(Object.entries(g.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
}
/** The metric names a group holds, besides the gateway's own push_time_seconds / push_failure_time_seconds. */
const metricNames = (g: ApiGroup) =>
  Object.keys(g)
    .filter((k) => !['labels', 'last_push_successful', 'push_time_seconds', 'push_failure_time_seconds'].includes(k))
    .sort();
/** [labels, value] of each sample of a metric in a group, in label order (the gateway's order is its own). */
const samples = (g: ApiGroup, metric: string) =>
  ((g[metric] as ApiMetric | undefined)?.metrics ?? [])
    .map((m) => [m.labels, m.value] as const)
    .sort(([a], [b]) => (JSON.stringify(canonical(a)) < JSON.stringify(canonical(b)) ? -1 : 1))
    .map(([l, v]) => [l, v]);
/** Samples with numeric values (the gateway writes large values as 1.795694402e+09). */
const numSamples = (g: ApiGroup, metric: string) => samples(g, metric).map(([l, v]) => [l, Number(v)]);

async function seed(url: string, path: string, body: string): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: 'PUT', body });
  assert.equal(res.status, 200, await res.text());
}

describe('a real Pushgateway', () => {
  let pg: RealPushgateway;
  let gw: Pushgateway;
  const sleeps: number[] = [];
  before(async () => {
    pg = await startPushgateway();
    gw = pushgateway({ url: pg.url, timeoutMs: 5000, retries: 3, http: nodeHttp(), sleep: async (ms) => void sleeps.push(ms) });
  });
  after(() => pg?.stop());
  beforeEach(async () => {
    await wipe(pg.url);
    sleeps.length = 0;
  });

  test('a cycle is one {job, source_node} group per source with results, plus the {job} run group', async () => {
    const out = await publish(
      gw,
      [
        ['n1', 'n2', 'success', 940.5],
        ['n1', 'n3', 'failure'],
        ['n2', 'n1', 'success', 95.25, 'udp'],
        ['n3', 'n1', 'skipped'],
      ],
      ['n1', 'n2', 'n3'],
    );
    assert.deepEqual({ ...out, pushed: [...out.pushed].sort() }, { pushed: ['(run)', 'n1', 'n2'], deleted: [], errors: [] });
    assert.deepEqual(sortGroups(await pg.groups()), sortGroups([{ job: JOB }, { job: JOB, source_node: 'n1' }, { job: JOB, source_node: 'n2' }]));

    const groups = await apiGroups(pg.url);
    const n1 = findGroup(groups, { job: JOB, source_node: 'n1' })!;
    const labels = (dst: string, protocol = 'tcp', src = 'n1') => ({ destination_node: dst, instance: '', job: JOB, network: 'host', protocol, source_node: src });
    assert.deepEqual(samples(n1, 'iperf_network_bandwidth_mbps'), [[labels('n2'), '940.5']], 'a failed test has no bandwidth sample');
    assert.deepEqual(samples(n1, 'iperf_test_success'), [
      [labels('n2'), '1'],
      [labels('n3'), '0'],
    ]);
    assert.deepEqual(samples(n1, 'iperf_network_tcp_retransmits'), [[labels('n2'), '3']]);
    assert.deepEqual(samples(n1, 'iperf_network_tcp_rtt_seconds'), [[labels('n2'), '0.0002']]);
    assert.deepEqual(samples(n1, 'iperf_test_duration_seconds'), [
      [labels('n2'), '2'],
      [labels('n3'), '2'],
    ]);
    assert.deepEqual(numSamples(n1, 'iperf_test_timestamp_seconds'), [
      [labels('n2'), (T0 + 2000) / 1000],
      [labels('n3'), (T0 + 3000) / 1000],
    ]);
    const n2 = findGroup(groups, { job: JOB, source_node: 'n2' })!;
    assert.deepEqual(metricNames(n2), [
      'iperf_network_bandwidth_mbps',
      'iperf_network_jitter_ms',
      'iperf_network_lost_packets_total',
      'iperf_network_packets_total',
      'iperf_test_duration_seconds',
      'iperf_test_success',
      'iperf_test_timestamp_seconds',
    ]);
    assert.deepEqual(samples(n2, 'iperf_network_jitter_ms'), [[labels('n1', 'udp', 'n2'), '0.5']]);
    assert.deepEqual(samples(n2, 'iperf_network_lost_packets_total'), [[labels('n1', 'udp', 'n2'), '2']]);

    const run = findGroup(groups, { job: JOB })!;
    const runLabels = (outcome?: string) => ({ instance: '', job: JOB, ...(outcome ? { outcome } : {}) });
    assert.deepEqual(metricNames(run), [...RUN_METRIC_NAMES, RUN_METRICS.skipped.name].sort(), 'this cycle skipped a test');
    assert.deepEqual(samples(run, 'iperf_run_pairs'), [
      [runLabels('failure'), '1'],
      [runLabels('skipped'), '1'],
      [runLabels('success'), '2'],
    ]);
    assert.deepEqual(samples(run, 'iperf_run_servers_discovered'), [[runLabels(), '3']]);
    assert.deepEqual(samples(run, 'iperf_run_duration_seconds'), [[runLabels(), '12.5']]);
    assert.deepEqual(numSamples(run, 'iperf_run_timestamp_seconds'), [[runLabels(), (T0 + 60_000) / 1000]]);
    assert.deepEqual(sleeps, []);
  });

  test('the next cycle replaces a whole group: a path that failed this time keeps no bandwidth from the last', async () => {
    await publish(gw, [['n1', 'n2', 'success', 900]], ['n1', 'n2']);
    await publish(gw, [['n1', 'n2', 'failure']], ['n1', 'n2']);
    const n1 = findGroup(await apiGroups(pg.url), { job: JOB, source_node: 'n1' })!;
    assert.deepEqual(metricNames(n1), ['iperf_test_duration_seconds', 'iperf_test_success', 'iperf_test_timestamp_seconds']);
    assert.deepEqual(samples(n1, 'iperf_test_success'), [[{ destination_node: 'n2', instance: '', job: JOB, network: 'host', protocol: 'tcp', source_node: 'n1' }, '0']]);
  });

  test('groups of vanished nodes of this job are deleted; other jobs\' groups and groups with extra labels are not touched', async () => {
    const body = '# TYPE iperf_test_success gauge\niperf_test_success 1\n';
    const kept: Record<string, string>[] = [
      { job: 'other-job', source_node: 'gone' },
      { job: JOB, source_node: 'gone', cluster: 'b' },
      { job: JOB, source_node: 'n9', instance: 'x' },
      { job: 'other-job' },
    ];
    for (const g of [{ job: JOB, source_node: 'gone' }, { job: JOB, source_node: 'gone/with slash' }, ...kept]) {
      await seed(pg.url, groupPath(Object.entries(g)), body);
    }
    const out = await publish(gw, [['n1', 'n2', 'success']], ['n1', 'n2']);
    assert.deepEqual(out.errors, []);
    assert.deepEqual([...out.deleted].sort(), ['gone', 'gone/with slash']);
    assert.deepEqual(sortGroups(await pg.groups()), sortGroups([{ job: JOB }, { job: JOB, source_node: 'n1' }, ...kept]));
  });

  test('a live node with no results this cycle (all skipped) keeps its last group', async () => {
    await publish(gw, [['n2', 'n1', 'success', 500]], ['n1', 'n2']);
    const out = await publish(gw, [['n1', 'n2', 'success'], ['n2', 'n1', 'skipped']], ['n1', 'n2']);
    assert.deepEqual(out.deleted, []);
    const n2 = findGroup(await apiGroups(pg.url), { job: JOB, source_node: 'n2' })!;
    assert.deepEqual(samples(n2, 'iperf_network_bandwidth_mbps'), [[{ destination_node: 'n1', instance: '', job: JOB, network: 'host', protocol: 'tcp', source_node: 'n2' }, '500']]);
  });

  const awkward = [
    'rack/1',
    'a b',
    `q"uo'te`,
    'Zürich ノード 🚀',
    '.',
    '..',
    '...',
    ' ',
    '\t',
    'back\\slash',
    'new\nline',
    'n1/source_node/evil',
    'x",evil="1',
    '%2e%2e',
    '?a=b#c',
    `${'n'.repeat(200)}/${'ü'.repeat(300)}`,
  ];

  test('awkward node names round-trip intact through @base64 and add no label, group or path', async () => {
    const nodes = ['n1', ...awkward];
    const specs: Spec[] = nodes.map((n, i) => [n, nodes[(i + 1) % nodes.length]!, 'success', 100 + i]);
    const out = await publish(gw, specs, nodes);
    assert.deepEqual(out.errors, []);
    assert.equal(out.pushed.length, nodes.length + 1);

    const groups = await apiGroups(pg.url);
    assert.deepEqual(sortGroups(groups.map((g) => g.labels)), sortGroups([{ job: JOB }, ...nodes.map((n) => ({ job: JOB, source_node: n }))]));
    for (const [i, n] of nodes.entries()) {
      const g = findGroup(groups, { job: JOB, source_node: n })!;
      assert.deepEqual(
        samples(g, 'iperf_network_bandwidth_mbps'),
        [[{ destination_node: nodes[(i + 1) % nodes.length]!, instance: '', job: JOB, network: 'host', protocol: 'tcp', source_node: n }, String(100 + i)]],
        `group of ${JSON.stringify(n)}`,
      );
    }
    // ".." must not have climbed into the run group: it still holds only the run metrics.
    assert.deepEqual(metricNames(findGroup(groups, { job: JOB })!), RUN_METRIC_NAMES);

    // And they can be deleted by name: only n1 is left alive.
    const after = await publish(gw, [['n1', 'n2', 'success']], ['n1']);
    assert.deepEqual(after.errors, []);
    assert.deepEqual([...after.deleted].sort(), [...awkward].sort());
    assert.deepEqual(sortGroups(await pg.groups()), sortGroups([{ job: JOB }, { job: JOB, source_node: 'n1' }]));
  });

  test('a job name with a slash is its own job, not a path', async () => {
    const out = await publish(gw, [['n1', 'n2', 'success']], ['n1', 'n2'], 'net/check');
    assert.deepEqual(out.errors, []);
    assert.deepEqual(sortGroups(await pg.groups()), sortGroups([{ job: 'net/check' }, { job: 'net/check', source_node: 'n1' }]));
  });

  test('the gateway rejecting a push (400) surfaces its message, is not retried, and leaves the group without our metrics', async () => {
    // Another job owns iperf_test_success as a counter: our gauge of the same name is inconsistent.
    await seed(pg.url, '/metrics/job/other-job', '# TYPE iperf_test_success counter\niperf_test_success 1\n');
    const out = await publish(gw, [['n1', 'n2', 'success']], ['n1', 'n2']);
    assert.deepEqual(out.pushed, ['(run)']);
    assert.equal(out.errors.length, 1);
    const e = out.errors[0]!;
    assert.equal(e.name, 'PushError');
    assert.equal(e.operation, 'push (PUT)');
    assert.equal(e.target, `${pg.url}/metrics/job/iperf3-monitor/source_node/n1`);
    // The gateway names whichever of the two inconsistent families it compares first.
    const prefix = `push (PUT) ${pg.url}/metrics/job/iperf3-monitor/source_node/n1: HTTP 400: pushed metrics are invalid or inconsistent with existing metrics: collected metric "iperf_test_success" `;
    assert.ok(
      [
        `${prefix}{ label:<name:"destination_node" value:"n2" > label:<name:"instance" value:"" > label:<name:"job" value:"iperf3-monitor" > label:<name:"network" value:"host" > label:<name:"protocol" value:"tcp" > label:<name:"source_node" value:"n1" > gauge:<value:1 > } is not a COUNTER`,
        `${prefix}{ label:<name:"instance" value:"" > label:<name:"job" value:"other-job" > counter:<value:1 > } is not a GAUGE`,
      ].includes(e.message),
      e.message,
    );
    assert.deepEqual(sleeps, [], 'a 400 is not retried');
    const n1 = findGroup(await apiGroups(pg.url), { job: JOB, source_node: 'n1' });
    assert.deepEqual(n1 && metricNames(n1), [], 'the gateway recorded only the failure time; none of our metrics');
  });
});

describe('transient failures, from a real local HTTP server standing in for a sick gateway', () => {
  let rec: HttpRecorder;
  const sleeps: number[] = [];
  const client = (retries: number, timeoutMs = 5000, url = rec.url) =>
    pushgateway({ url, timeoutMs, retries, http: nodeHttp(), sleep: async (ms) => void sleeps.push(ms) });
  const group = [['job', JOB], ['source_node', 'n1']] as const;
  before(async () => {
    rec = await startRecorder(reply(200));
  });
  after(() => rec?.close());
  beforeEach(() => {
    rec.requests.length = 0;
    sleeps.length = 0;
  });

  const cases: { name: string; status: number; body: string; retries: number; message: string; sleeps: number[] }[] = [
    {
      name: '503 is retried with backoff, then fails with the last answer and the attempt count',
      status: 503,
      body: 'overloaded\n',
      retries: 3,
      message: 'HTTP 503: overloaded (after 4 attempts)',
      sleeps: [500, 1000, 2000],
    },
    { name: '500 with no retries allowed fails after one attempt', status: 500, body: '', retries: 0, message: 'HTTP 500', sleeps: [] },
    { name: '429 is retried like a 5xx', status: 429, body: 'slow down', retries: 1, message: 'HTTP 429: slow down (after 2 attempts)', sleeps: [500] },
    { name: 'backoff is capped at 4 s', status: 502, body: 'bad gateway', retries: 6, message: 'HTTP 502: bad gateway (after 7 attempts)', sleeps: [500, 1000, 2000, 4000, 4000, 4000] },
    { name: '404 (a wrong URL prefix) is not retried', status: 404, body: '404 page not found', retries: 3, message: 'HTTP 404: 404 page not found', sleeps: [] },
    { name: '401 (bad credentials) is not retried', status: 401, body: 'Unauthorized', retries: 3, message: 'HTTP 401: Unauthorized', sleeps: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      rec.handler = reply(c.status, c.body);
      await assert.rejects(client(c.retries).put(group, 'x 1\n'), {
        name: 'PushError',
        message: `push (PUT) ${rec.url}/metrics/job/iperf3-monitor/source_node/n1: ${c.message}`,
      });
      assert.equal(rec.requests.length, c.sleeps.length + 1);
      assert.deepEqual(sleeps, c.sleeps);
    });
  }

  test('a 503 followed by a 200 succeeds on the second attempt with the same body', async () => {
    let n = 0;
    rec.handler = (req, res) => reply(n++ === 0 ? 503 : 200)(req, res);
    await client(3).put(group, 'x 1\n');
    assert.deepEqual(
      rec.requests.map((r) => [r.method, r.url, r.body]),
      [
        ['PUT', '/metrics/job/iperf3-monitor/source_node/n1', 'x 1\n'],
        ['PUT', '/metrics/job/iperf3-monitor/source_node/n1', 'x 1\n'],
      ],
    );
    assert.deepEqual(sleeps, [500]);
  });

  test('a gateway that accepts the connection and never answers costs one timeout per attempt', async () => {
    rec.handler = stall;
    const started = Date.now();
    await assert.rejects(client(1, 300).put(group, 'x 1\n'), {
      name: 'PushError',
      message: `push (PUT) ${rec.url}/metrics/job/iperf3-monitor/source_node/n1: no answer within 0.3 s (after 2 attempts)`,
    });
    assert.equal(rec.requests.length, 2);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  test('a gateway that is down (connection refused) is retried, then named with the OS error', async () => {
    const port = await freePort();
    await assert.rejects(client(2, 1000, `http://127.0.0.1:${port}`).put(group, 'x 1\n'), {
      name: 'PushError',
      message: `push (PUT) http://127.0.0.1:${port}/metrics/job/iperf3-monitor/source_node/n1: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port}) (after 3 attempts)`,
    });
    assert.deepEqual(sleeps, [500, 1000]);
  });

  test('when one source group fails, the others and the run group are still pushed and the failure is reported', async () => {
    rec.handler = (req, res) => {
      if (req.url.endsWith('/source_node/n2')) return reply(503, 'sick')(req, res);
      if (req.method === 'GET') return reply(200, '{"status":"success","data":[]}', 'application/json')(req, res);
      reply(200)(req, res);
    };
    const out = await publish(client(1), [['n1', 'n2', 'success'], ['n2', 'n1', 'success'], ['n3', 'n1', 'success']], ['n1', 'n2', 'n3']);
    assert.deepEqual([...out.pushed].sort(), ['(run)', 'n1', 'n3']);
    assert.deepEqual(
      out.errors.map((e) => e.message),
      [`push (PUT) ${rec.url}/metrics/job/iperf3-monitor/source_node/n2: HTTP 503: sick (after 2 attempts)`],
    );
  });

  const auth: { name: string; push: Parameters<typeof pushHeaders>[0]; authorization: string | undefined }[] = [
    { name: 'basic auth', push: { url: '', timeoutMs: 1, retries: 0, deadlineMs: 1, username: 'runner', password: 'p@ss:wörd' }, authorization: `Basic ${Buffer.from('runner:p@ss:wörd').toString('base64')}` },
    { name: 'a bearer token', push: { url: '', timeoutMs: 1, retries: 0, deadlineMs: 1, token: 'tok-123' }, authorization: 'Bearer tok-123' },
    { name: 'no credentials', push: { url: '', timeoutMs: 1, retries: 0, deadlineMs: 1 }, authorization: undefined },
  ];
  for (const c of auth) {
    test(`${c.name}: the header goes with every request (PUT, list groups, DELETE)`, async () => {
      rec.handler = (req, res) => {
        if (req.method === 'GET') {
          const text = `# TYPE push_time_seconds gauge\npush_time_seconds{instance="",job="${JOB}",source_node="gone"} 1.7e+09\n`;
          return reply(200, text, 'text/plain; version=0.0.4')(req, res);
        }
        reply(200)(req, res);
      };
      const gw = pushgateway({ url: rec.url, timeoutMs: 5000, retries: 0, headers: pushHeaders(c.push), http: nodeHttp(), sleep: async () => {} });
      const out = await publish(gw, [['n1', 'n2', 'success']], ['n1', 'n2']);
      assert.deepEqual(out.errors, []);
      assert.deepEqual(
        rec.requests.map((r) => [r.method, r.url, r.headers.authorization]),
        [
          // The earlier groups are read first, as a run does (once, before it tests).
          ['GET', '/metrics', c.authorization],
          ['PUT', '/metrics/job/iperf3-monitor/source_node/n1', c.authorization],
          ['PUT', '/metrics/job/iperf3-monitor', c.authorization],
          ['DELETE', '/metrics/job/iperf3-monitor/source_node/gone', c.authorization],
        ],
      );
      assert.equal(rec.requests[1]!.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    });
  }
});
