// The HTML page's text is escaped wherever a node name or an iperf3 message lands (static targets may
// name nodes anything), and the page stays free of anything a browser would fetch or run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlReport } from '../../src/output/html-report.ts';
import type { CycleReport } from '../../src/run/cycle.ts';
import type { Pair } from '../../src/model/types.ts';

const a = { node: '<script>alert(1)</script>', ip: '10.0.0.1', port: 5201 };
const b = { node: 'b" onmouseover="x', ip: '10.0.0.2', port: 5201 };
const pairs: Pair[] = [{ source: a, destination: b, protocol: 'tcp' }, { source: b, destination: a, protocol: 'tcp' }];
const report: CycleReport = {
  servers: [a, b],
  pairs,
  results: [
    { pair: pairs[0]!, status: 'success', measurement: { bandwidthMbps: 941.5 }, startedAt: 1, finishedAt: 2, attempts: 1 },
    { pair: pairs[1]!, status: 'failure', failure: { kind: 'iperf-error', message: '<img src=http://x/>' }, startedAt: 1, finishedAt: 2, attempts: 1 },
  ],
  startedAt: Date.UTC(2026, 10, 30, 12),
  endedAt: Date.UTC(2026, 10, 30, 12, 0, 3),
  planned: 2,
  size: { collisionFree: 2, concurrency: 2, rounds: Infinity, testsPerRun: 2, runsToCover: 1, coveragePeriodS: 3, runS: 3, periodKnown: false },
  exitCode: 0,
};

test('node names and messages are escaped in text and attributes', () => {
  const html = htmlReport(report);
  assert.doesNotMatch(html, /<script|<img| onmouseover="/);
  assert.match(html, /<th scope="row">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/th>/);
  assert.match(html, /data-destination="b&quot; onmouseover=&quot;x" data-status="success" data-mbps="941.500"/);
  assert.match(html, /<td>&lt;img src=http:\/\/x\/&gt;<\/td>/);
});

test('the figures say what the run did', () => {
  const html = htmlReport(report);
  assert.match(html, /<div data-figure="started"><dt>Started<\/dt><dd>2026-11-30 12:00:00 UTC<\/dd><\/div>/);
  assert.match(html, /<div data-figure="duration"><dt>Cycle time<\/dt><dd>3\.0 s<\/dd><\/div>/);
  assert.match(html, /<div data-figure="failure"><dt>Failed<\/dt><dd>1<\/dd><\/div>/);
  assert.doesNotMatch(html, /data-figure="push"/);
});
