// groupPath: the Pushgateway URL path of a group. Values that are not plain URL-safe words use the
// `@base64` form, so that no node name can add a path segment, climb out of its group, or add a label.
// (Round trips through the real Pushgateway are in test/integration/pushgateway.test.ts.)
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { groupPath } from '../../src/push/grouping-key.ts';

const job = ['job', 'iperf3-monitor'] as const;

describe('groupPath', () => {
  const cases: { node: string; path: string }[] = [
    { node: 'n1', path: '/metrics/job/iperf3-monitor/source_node/n1' },
    { node: 'ip-10-0-0-1.eu-west-1.compute.internal', path: '/metrics/job/iperf3-monitor/source_node/ip-10-0-0-1.eu-west-1.compute.internal' },
    { node: 'rack/1', path: '/metrics/job/iperf3-monitor/source_node@base64/cmFjay8x' },
    { node: '', path: '/metrics/job/iperf3-monitor/source_node@base64/=' },
    { node: 'a b', path: '/metrics/job/iperf3-monitor/source_node@base64/YSBi' },
    { node: 'Zürich', path: '/metrics/job/iperf3-monitor/source_node@base64/WsO8cmljaA' },
    { node: 'n1/other_label/x', path: '/metrics/job/iperf3-monitor/source_node@base64/bjEvb3RoZXJfbGFiZWwveA' },
    { node: '%2F', path: '/metrics/job/iperf3-monitor/source_node@base64/JTJG' },
    { node: '?x=1#y', path: '/metrics/job/iperf3-monitor/source_node@base64/P3g9MSN5' },
    // "." and ".." are URL-safe characters, but a URL parser resolves them as path segments: `..` would
    // turn the node's group into the run group {job} and overwrite it.
    { node: '.', path: '/metrics/job/iperf3-monitor/source_node@base64/Lg' },
    { node: '..', path: '/metrics/job/iperf3-monitor/source_node@base64/Li4' },
  ];
  for (const c of cases) {
    test(`node ${JSON.stringify(c.node)} → ${c.path}`, () => assert.equal(groupPath([job, ['source_node', c.node]]), c.path));
  }

  test('the job itself is encoded the same way', () => {
    assert.equal(groupPath([['job', 'net/check']]), '/metrics/job@base64/bmV0L2NoZWNr');
  });

  test('for any node name the path has exactly the job and source_node segments, and survives URL parsing unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('.', '..', '...', '', '/', '%'), fc.string({ unit: 'binary', maxLength: 300 })), (node) => {
        const path = groupPath([job, ['source_node', node]]);
        const segments = path.split('/');
        assert.equal(segments.length, 6, path);
        assert.deepEqual(segments.slice(0, 4), ['', 'metrics', 'job', 'iperf3-monitor']);
        assert.equal(new URL(`http://gw:9091${path}`).pathname, path);
        const [label, value] = segments.slice(4) as [string, string];
        const decoded = label === 'source_node@base64' ? (value === '=' ? '' : Buffer.from(value, 'base64url').toString('utf8')) : value;
        // Lone surrogates cannot be UTF-8: they come back as U+FFFD, like everywhere else they are sent.
        assert.equal(decoded, Buffer.from(node, 'utf8').toString('utf8'));
      }),
      { numRuns: 2000 },
    );
  });
});
