import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlReport } from '../../src/output/html-report.ts';
import { renderMatrix } from '../../src/output/matrix.ts';
import { jsonReport, type JsonReport } from '../../src/output/json-report.ts';
import { renderPlan } from '../../src/output/plan.ts';
import { planPairs } from '../../src/plan/pairs.ts';
import { pairNetwork } from '../../src/model/network.ts';
import type { CycleReport } from '../../src/run/cycle.ts';
import type { PairResult, Server } from '../../src/model/types.ts';

// The outputs of a run over the host and the pod network: one matrix per protocol and network (table
// and HTML page), the network on each JSON result and server, and in the --dry-run plan.

const servers: Server[] = [
  { node: 'a', ip: '10.0.0.1', port: 5201, network: 'host' },
  { node: 'a', ip: '10.244.1.5', port: 5201, network: 'pod' },
  { node: 'b', ip: '10.0.0.2', port: 5201, network: 'host' },
  { node: 'b', ip: '10.244.2.5', port: 5201, network: 'pod' },
];
const pairs = planPairs(servers, { mode: 'mesh', protocols: ['tcp'] });
const mbps = (pair: PairResult['pair']) => (pairNetwork(pair) === 'host' ? 940 : 610) + (pair.source.node === 'a' ? 1 : 2);
const results: PairResult[] = pairs.map((pair) =>
  pairNetwork(pair) === 'pod' && pair.source.node === 'b'
    ? { pair, status: 'failure', failure: { kind: 'refused', message: 'unable to connect to server: Connection refused' }, startedAt: 1, finishedAt: 2, attempts: 1 }
    : { pair, status: 'success', measurement: { bandwidthMbps: mbps(pair) }, startedAt: 1, finishedAt: 2, attempts: 1 },
);
const report = (rs: PairResult[] = results, ss: Server[] = servers): CycleReport => ({
  servers: ss,
  pairs: rs.map((r) => r.pair),
  results: rs,
  startedAt: Date.UTC(2026, 10, 30, 12),
  endedAt: Date.UTC(2026, 10, 30, 12, 0, 3),
  planned: rs.length,
  size: { collisionFree: 2, concurrency: 2, rounds: Infinity, testsPerRun: 4, runsToCover: 1, coveragePeriodS: 3, runS: 3, periodKnown: false },
  exitCode: 0,
});

test('the table draws one matrix per network and names the network of a failure', () => {
  const text = renderMatrix(report(), false);
  assert.equal(
    text,
    [
      'TCP Mbit/s, host network (rows: source, columns: destination)',
      '                   a         b',
      '         a         -     941.0',
      '         b     942.0         -',
      '',
      'TCP Mbit/s, pod network (rows: source, columns: destination)',
      '                   a         b',
      '         a         -     611.0',
      '         b      FAIL         -',
      '',
      'Failed:',
      '  b → a tcp (pod network): refused unable to connect to server: Connection refused',
      '',
      '4 tests: 3 ok, 1 failed, 0 skipped in 3.0 s',
      '',
    ].join('\n'),
  );
});

test('one network: one matrix per protocol and no network named, as before', () => {
  const host = results.filter((r) => pairNetwork(r.pair) === 'host');
  const text = renderMatrix(report(host, servers.filter((s) => s.network === 'host')), false);
  assert.match(text, /^TCP Mbit\/s \(rows: source, columns: destination\)$/m);
  assert.doesNotMatch(text, /network/);
  assert.doesNotMatch(htmlReport(report(host, servers.filter((s) => s.network === 'host'))), /network/);
});

test('json: every result and server carries its network', () => {
  const doc = JSON.parse(jsonReport(report())) as JsonReport;
  assert.deepEqual(doc.servers.map((s) => `${s.node} ${s.network} ${s.ip}`), ['a host 10.0.0.1', 'a pod 10.244.1.5', 'b host 10.0.0.2', 'b pod 10.244.2.5']);
  assert.deepEqual(doc.pairs.map((p) => `${p.source_node}→${p.destination_node} ${p.network} ${p.status}`), [
    'a→b host success',
    'b→a host success',
    'a→b pod success',
    'b→a pod failure',
  ]);
});

test('html: a matrix per network with its own id and data-network, the failure row names its network', () => {
  const html = htmlReport(report());
  assert.match(html, /<h2>TCP Mbit\/s · host network<\/h2>/);
  assert.match(html, /<table class="matrix" id="matrix-tcp-host" data-protocol="tcp" data-network="host">/);
  assert.match(html, /<table class="matrix" id="matrix-tcp-pod" data-protocol="tcp" data-network="pod">/);
  const pod = html.slice(html.indexOf('id="matrix-tcp-pod"'));
  assert.match(pod, /data-source="a" data-destination="b" data-status="success" data-mbps="611.000"/);
  assert.match(html, /<tr data-source="b" data-destination="a" data-protocol="tcp" data-network="pod" data-kind="refused"><td>b<\/td><td>a<\/td><td>tcp \(pod network\)<\/td>/);
  assert.match(html, /<p class="sub">2 nodes · TCP · /);
});

test('--dry-run lists each server\'s and each test\'s network', () => {
  assert.equal(
    renderPlan(servers, pairs),
    [
      '4 servers:',
      '  a  host  10.0.0.1:5201',
      '  a  pod  10.244.1.5:5201',
      '  b  host  10.0.0.2:5201',
      '  b  pod  10.244.2.5:5201',
      '4 tests, in plan order:',
      '     1  a → b  tcp  host',
      '     2  b → a  tcp  host',
      '     3  a → b  tcp  pod',
      '     4  b → a  tcp  pod',
      '',
    ].join('\n'),
  );
});

test('verify: the pod-network pairs are named apart in the JUnit report and the Markdown table; the baseline is per network', async () => {
  const { judge } = await import('../../src/verify/judge.ts');
  const { junitReport } = await import('../../src/verify/junit.ts');
  const { markdownSummary } = await import('../../src/verify/markdown.ts');
  const { pairKey } = await import('../../src/push/previous-results.ts');
  const ok = results.filter((r) => r.status === 'success');
  // Only the host pair a → b has a baseline: the pod pair a → b is not judged against it.
  const baseline = new Map([[pairKey(ok[0]!.pair), 1000]]);
  const verdicts = judge(ok, { minMbps: { tcp: 100 }, baselineRatio: 0.9 }, baseline);
  assert.deepEqual(verdicts.map((v) => v.baselineMbps), [1000, undefined, undefined]);
  const floors = { minMbps: { tcp: 100 } };
  const xml = junitReport(verdicts, { startedAt: 0, endedAt: 1000, floors });
  assert.deepEqual([...xml.matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((m) => m[1]), ['a → b', 'b → a', 'a → b (pod network)']);
  const md = markdownSummary(verdicts, { startedAt: 0, endedAt: 1000, floors, servers: 4 });
  assert.match(md, /^\| a \| b \| tcp \(pod network\) \| 611 \|/m);
  assert.match(md, /^\| a \| b \| tcp \| 941 \|/m);
});
