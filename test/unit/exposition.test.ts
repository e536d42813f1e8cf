import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lines, parseSampleLine } from '../../src/push/exposition.ts';
import { readGatewayState } from '../../src/push/previous-results.ts';

// Reading the Pushgateway's /metrics back: the text format's escapes, and a stream cut anywhere.

test('sample lines: labels with escaped quotes, backslashes, newlines and unicode; special values', () => {
  assert.deepEqual(parseSampleLine('iperf_test_success{destination_node="a\\"b\\\\c\\nd",protocol="tcp",source_node="nœud 1"} 1'), {
    name: 'iperf_test_success',
    labels: { destination_node: 'a"b\\c\nd', protocol: 'tcp', source_node: 'nœud 1' },
    value: 1,
  });
  assert.deepEqual(parseSampleLine('push_time_seconds 1.7e+09'), { name: 'push_time_seconds', labels: {}, value: 1.7e9 });
  assert.equal(parseSampleLine('x{a="1"} +Inf')!.value, Infinity);
  assert.ok(Number.isNaN(parseSampleLine('x NaN')!.value));
  for (const junk of ['', '# HELP x y', '# TYPE x gauge', 'x{a="1"', 'x{a=1} 2', '{a="1"} 2', 'x{a="1"} two']) {
    assert.equal(parseSampleLine(junk), undefined, JSON.stringify(junk));
  }
});

test('lines survive any chunking of the byte stream, multi-byte characters included', async () => {
  const text = 'a{n="ü"} 1\n# c\nb{n="日本"} 2\nc 3';
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), async (cuts) => {
      const bytes = Buffer.from(text);
      async function* chunks() {
        let i = 0;
        for (const c of cuts) {
          if (i >= bytes.length) break;
          yield bytes.subarray(i, i + c);
          i += c;
        }
        if (i < bytes.length) yield bytes.subarray(i);
      }
      const got: string[] = [];
      for await (const l of lines(chunks())) got.push(l);
      assert.deepEqual(got, text.split('\n'));
    }),
  );
});

test('the gateway state: groups from push_time_seconds (without the empty instance), this job\'s pairs with a timestamp', async () => {
  const text = [
    'push_time_seconds{instance="",job="iperf3-monitor",source_node="n1"} 1.7e+09',
    'push_time_seconds{instance="",job="iperf3-monitor"} 1.7e+09',
    'push_time_seconds{instance="x",job="other"} 1.7e+09',
    'iperf_network_bandwidth_mbps{destination_node="n2",instance="",job="iperf3-monitor",protocol="tcp",source_node="n1"} 190.5',
    'iperf_test_timestamp_seconds{destination_node="n2",instance="",job="iperf3-monitor",protocol="tcp",source_node="n1"} 1.7e+09',
    'iperf_test_success{destination_node="n3",instance="",job="iperf3-monitor",protocol="tcp",source_node="n1"} 1',
    'iperf_test_timestamp_seconds{destination_node="n2",instance="",job="other",protocol="tcp",source_node="n1"} 1.7e+09',
  ].join('\n');
  async function* samples() {
    for (const l of text.split('\n')) yield parseSampleLine(l)!;
  }
  const state = await readGatewayState(samples(), 'iperf3-monitor');
  assert.deepEqual(state.groups, [{ job: 'iperf3-monitor', source_node: 'n1' }, { job: 'iperf3-monitor' }, { instance: 'x', job: 'other' }]);
  assert.deepEqual([...state.previous.values()], [
    { source: 'n1', destination: 'n2', protocol: 'tcp', timestamp: 1.7e9, values: { iperf_network_bandwidth_mbps: 190.5, iperf_test_timestamp_seconds: 1.7e9 } },
  ]);
});
