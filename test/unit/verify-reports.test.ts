// The gate's pure parts: judging pairs against floors and baselines (a table of cases), and the JUnit
// XML and Markdown written from the verdicts — XML parsed by an independent parser, hostile node names
// and iperf3 messages escaped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PairResult, Protocol } from '../../src/model/types.ts';
import { judge, passed } from '../../src/verify/judge.ts';
import { junitReport } from '../../src/verify/junit.ts';
import { markdownSummary } from '../../src/verify/markdown.ts';
import { previousKey } from '../../src/push/previous-results.ts';
import type { Floors } from '../../src/verify/floors.ts';
import { parseJunit } from '../support/junit.ts';

const server = (node: string) => ({ node, ip: '10.0.0.1', port: 5201 });
function ok(src: string, dst: string, mbps: number, protocol: Protocol = 'tcp'): PairResult {
  return { pair: { source: server(src), destination: server(dst), protocol }, status: 'success', measurement: { bandwidthMbps: mbps }, startedAt: 1000, finishedAt: 3000, attempts: 1 };
}
function failed(src: string, dst: string, message: string): PairResult {
  return { pair: { source: server(src), destination: server(dst), protocol: 'tcp' }, status: 'failure', failure: { kind: 'refused', message }, startedAt: 1000, finishedAt: 1010, attempts: 4 };
}
function skipped(src: string, dst: string): PairResult {
  return { pair: { source: server(src), destination: server(dst), protocol: 'tcp' }, status: 'skipped', skipped: 'deadline', startedAt: 0, finishedAt: 0, attempts: 0 };
}
const baseline = new Map([[previousKey('a', 'b', 'tcp'), 900], [previousKey('a', 'c', 'tcp'), 100]]);

const cases: [string, PairResult, Floors, string, string][] = [
  ['above the TCP floor', ok('a', 'b', 950), { minMbps: { tcp: 900 } }, 'pass', ''],
  ['exactly at the floor', ok('a', 'b', 900), { minMbps: { tcp: 900 } }, 'pass', ''],
  ['below the TCP floor', ok('a', 'b', 850.25), { minMbps: { tcp: 900 } }, 'below-floor', '850.3 Mbit/s is below the tcp floor of 900 Mbit/s'],
  ['a UDP pair under a TCP-only floor', ok('a', 'b', 10, 'udp'), { minMbps: { tcp: 900 } }, 'pass', ''],
  ['below its baseline', ok('a', 'b', 600), { minMbps: {}, baselineRatio: 0.8 }, 'below-baseline', '600 Mbit/s is 66.7 % of its baseline 900 Mbit/s, below 80 % (720 Mbit/s)'],
  ['above the baseline fraction', ok('a', 'b', 800), { minMbps: {}, baselineRatio: 0.8 }, 'pass', ''],
  ['above its low baseline but below the absolute floor', ok('a', 'c', 95), { minMbps: { tcp: 500 }, baselineRatio: 0.8 }, 'below-floor', '95 Mbit/s is below the tcp floor of 500 Mbit/s'],
  ['no baseline: judged by the floor alone', ok('b', 'a', 10), { minMbps: {}, baselineRatio: 0.8 }, 'pass', 'no baseline'],
  ['a failed test', failed('a', 'b', 'unable to connect'), { minMbps: {} }, 'test-failed', 'refused: unable to connect'],
  ['a test not run', skipped('a', 'b'), { minMbps: { tcp: 1 } }, 'not-tested', 'not tested (deadline)'],
];
for (const [name, result, floors, kind, reason] of cases) {
  test(`judge: ${name} → ${kind}`, () => {
    const [v] = judge([result], floors, baseline);
    assert.deepEqual([v!.kind, v!.reason], [kind, reason]);
  });
}

test('judge: required is the highest floor that applies; passed() needs every pair', () => {
  const vs = judge([ok('a', 'b', 950), ok('a', 'c', 95)], { minMbps: { tcp: 500 }, baselineRatio: 0.8 }, baseline);
  assert.deepEqual(vs.map((v) => v.requiredMbps), [720, 500]);
  assert.equal(passed(vs), false);
  assert.equal(passed(vs.slice(0, 1)), true);
});

const dir = mkdtempSync(join(tmpdir(), 'verify-reports-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('JUnit: one suite per protocol, counts, failure types, and hostile names and messages survive a strict parser', () => {
  const results = [ok('n<1>', 'n&2', 950), failed('n<1>', 'n"3', 'bad \u0001 "quote" <tag> & ]]>'), ok('n<1>', 'n&2', 5, 'udp')];
  const floors: Floors = { minMbps: { tcp: 900, udp: 10 } };
  const file = join(dir, 'r.xml');
  writeFileSync(file, junitReport(judge(results, floors, new Map()), { startedAt: Date.UTC(2026, 10, 30, 12), endedAt: Date.UTC(2026, 10, 30, 12, 0, 7), floors }));
  const doc = parseJunit(file);
  assert.deepEqual([doc.root, doc.tests, doc.failures, doc.errors], ['testsuites', 3, 2, 0]);
  assert.deepEqual(doc.suites.map((s) => [s.name, s.tests, s.failures]), [['iperf3-monitor verify tcp', 2, 1], ['iperf3-monitor verify udp', 1, 1]]);
  const [tcp, udp] = doc.suites;
  assert.deepEqual(tcp!.cases.map((c) => c.name), ['n<1> → n&2', 'n<1> → n"3']);
  assert.deepEqual(tcp!.cases[1]!.failure, {
    type: 'test-failed',
    message: 'refused: bad  "quote" <tag> & ]]>',
    text: 'n<1> (10.0.0.1) → n"3 (10.0.0.1:5201) tcp\nfloor: 900 Mbit/s\nrequired: 900 Mbit/s\nreason: refused: bad  "quote" <tag> & ]]>\nattempts: 4',
  });
  assert.equal(udp!.cases[0]!.failure!.type, 'below-floor');
  assert.equal(tcp!.cases[0]!.time, '2.000');
  assert.deepEqual(udp!.properties, { protocol: 'udp', min_mbps: '10' });
});

test('Markdown: a PASS needs no failed table; pipes in messages do not break the table', () => {
  const floors: Floors = { minMbps: { tcp: 100 } };
  const run = { startedAt: Date.UTC(2026, 10, 30, 12), endedAt: Date.UTC(2026, 10, 30, 12, 0, 9, 500), floors, servers: 2 };
  const pass = markdownSummary(judge([ok('a', 'b', 150)], floors, new Map()), run);
  assert.equal(pass, [
    '## iperf3-monitor verify: ✅ PASS', '',
    '1 pairs between 2 nodes, 1 passed, 0 failed; started 2026-11-30T12:00:00Z, took 9.5 s.', '',
    'Floors: TCP ≥ 100 Mbit/s; every test must succeed.', '',
    '### All pairs', '',
    '| Source | Destination | Protocol | Mbit/s | Baseline | Required | Result |',
    '|---|---|---|--:|--:|--:|---|',
    '| a | b | tcp | 150 | – | 100 | pass |', '',
  ].join('\n'));
  const fail = markdownSummary(judge([failed('a', 'b', 'x | y\nz')], floors, new Map()), run);
  assert.match(fail, /^### Failed pairs$/m);
  assert.match(fail, /^\| a \| b \| tcp \| – \| – \| 100 \| \*\*test-failed\*\*: refused: x \\\| y z \|$/m);
});
