// parseResult and extractJson on the real iperf3 3.12 outputs captured in test/fixtures/iperf3/ and on
// variants derived from them (see the README there): failure first, receiver goodput, never a throw.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseResult } from '../../src/iperf/parse-result.ts';
import { extractJson } from '../../src/iperf/extract-json.ts';
import type { ProcessOutcome } from '../../src/exec/process-outcome.ts';
import type { Protocol, TestOutcome } from '../../src/model/types.ts';
import { iperf3Fixture } from '../support/fixtures.ts';

const tcp = iperf3Fixture('tcp');
const udp = iperf3Fixture('udp');

/** What the local runner hands over for a client that printed `stdout` and exited with `exitCode`. */
function outcome(stdout: string, extra: { exitCode?: number; stderr?: string } = {}): ProcessOutcome {
  return { ended: 'exited', stdout, stderr: '', exitCode: 0, ...extra };
}

describe('captured iperf3 3.12 outputs', () => {
  const cases: { fixture: string; protocol: Protocol; exitCode: number; expected: TestOutcome }[] = [
    {
      fixture: 'tcp',
      protocol: 'tcp',
      exitCode: 0,
      // end.sum_received.bits_per_second, end.sum_sent.retransmits, end.streams[0].sender.mean_rtt (µs)
      expected: { ok: true, measurement: { bandwidthMbps: 22487486781.290443 / 1e6, retransmits: 26, rttSeconds: 71 / 1e6 } },
    },
    {
      fixture: 'udp',
      protocol: 'udp',
      exitCode: 0,
      expected: { ok: true, measurement: { bandwidthMbps: 50062945.7541062 / 1e6, jitterMs: 1.7685330973561495, packets: 191, lostPackets: 0 } },
    },
    {
      fixture: 'udp-reverse',
      protocol: 'udp',
      exitCode: 0,
      expected: { ok: true, measurement: { bandwidthMbps: 50067551.36549675 / 1e6, jitterMs: 0.00546843454999682, packets: 191, lostPackets: 0 } },
    },
    {
      fixture: 'tcp-reverse-parallel',
      protocol: 'tcp',
      exitCode: 0,
      // -R: this side received, so every stream's mean_rtt is 0 and no RTT is reported.
      expected: { ok: true, measurement: { bandwidthMbps: 22302363182.199078 / 1e6, retransmits: 20 } },
    },
    {
      fixture: 'busy',
      protocol: 'tcp',
      exitCode: 0, // iperf3 3.12 exits 0 with -J here
      expected: { ok: false, kind: 'busy', message: 'the server is busy running a test. try again later' },
    },
    {
      fixture: 'refused',
      protocol: 'tcp',
      exitCode: 0, // iperf3 3.12 exits 0 with -J here
      expected: { ok: false, kind: 'refused', message: 'unable to connect to server: Connection refused' },
    },
    {
      fixture: 'interrupted',
      protocol: 'tcp',
      exitCode: 1, // SIGINT to the client: a full-looking document with sum_received 0 and an "error" key
      expected: { ok: false, kind: 'iperf-error', message: 'interrupt - the client has terminated' },
    },
  ];
  for (const c of cases) {
    test(`the ${c.fixture} capture (exit ${c.exitCode}) is ${c.expected.ok ? 'a success with the receiver goodput' : `a ${c.expected.kind} failure`}`, () => {
      assert.deepEqual(parseResult(outcome(iperf3Fixture(c.fixture), { exitCode: c.exitCode }), c.protocol), c.expected);
    });
  }

  test('the interrupted capture is a failure even if its exit code were 0: the "error" key wins', () => {
    assert.deepEqual(parseResult(outcome(iperf3Fixture('interrupted')), 'tcp'), {
      ok: false,
      kind: 'iperf-error',
      message: 'interrupt - the client has terminated',
    });
  });

  test('a UDP capture read as TCP still reports only the receiver goodput (no retransmits or RTT invented)', () => {
    const r = parseResult(outcome(udp), 'tcp');
    assert.deepEqual(r, { ok: true, measurement: { bandwidthMbps: 50062945.7541062 / 1e6 } });
  });
});

describe('how the client ended comes before what it printed', () => {
  const cases: { name: string; outcome: ProcessOutcome; expected: TestOutcome }[] = [
    {
      name: 'a run killed by the per-test timeout is a timeout even with a complete document',
      outcome: { ended: 'timed-out', timeoutMs: 11_000 },
      expected: { ok: false, kind: 'timeout', message: 'no result within 11 s' },
    },
    {
      name: 'a run aborted by SIGTERM is aborted, not a failure of the path',
      outcome: { ended: 'aborted' },
      expected: { ok: false, kind: 'aborted', message: 'aborted before it finished' },
    },
    {
      name: 'a client that could not be started is a spawn failure with the runner message',
      outcome: { ended: 'not-started', via: 'spawn', message: 'cannot start iperf3: spawn iperf3 ENOENT' },
      expected: { ok: false, kind: 'spawn', message: 'cannot start iperf3: spawn iperf3 ENOENT' },
    },
    {
      name: 'a refused pods/exec is an exec failure with the API message',
      outcome: { ended: 'not-started', via: 'exec', message: 'pods/exec ns/pod: pods "pod" is forbidden' },
      expected: { ok: false, kind: 'exec', message: 'pods/exec ns/pod: pods "pod" is forbidden' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(parseResult(c.outcome, 'tcp'), c.expected));
  }
});

describe('variants derived from the captures', () => {
  const cut = tcp.slice(0, tcp.indexOf('"sum_received"'));
  const nanJitter = udp.replace(/"jitter_ms":\t[0-9.]+/g, '"jitter_ms":\t-nan');
  const withUnknownFields = JSON.stringify({
    ...(JSON.parse(tcp) as object),
    future_section: { anything: [1, { nested: true }], text: 'x' },
  }).replace('"sum_received":{', '"sum_received":{"future_counter":7,"future_flag":null,');
  const cases: { name: string; protocol: Protocol; outcome: ProcessOutcome; expected: TestOutcome }[] = [
    {
      name: 'text printed after a successful JSON document is ignored',
      protocol: 'tcp',
      outcome: outcome(`${tcp}iperf3: error - control socket has closed unexpectedly\n`),
      expected: { ok: true, measurement: { bandwidthMbps: 22487486781.290443 / 1e6, retransmits: 26, rttSeconds: 71 / 1e6 } },
    },
    {
      name: 'text printed after a "busy" document still reads as busy',
      protocol: 'tcp',
      outcome: outcome(`${iperf3Fixture('busy')}iperf3: error - the server is busy running a test. try again later\n`),
      expected: { ok: false, kind: 'busy', message: 'the server is busy running a test. try again later' },
    },
    {
      name: 'C\'s -nan for UDP jitter makes the jitter absent, and the rest of the result stands',
      protocol: 'udp',
      outcome: outcome(nanJitter),
      expected: { ok: true, measurement: { bandwidthMbps: 50062945.7541062 / 1e6, packets: 191, lostPackets: 0 } },
    },
    {
      name: 'inf and nan spellings in any number position are read as absent values',
      protocol: 'udp',
      outcome: outcome(udp.replace('"lost_packets":\t0,\n\t\t\t"packets":\t191,\n\t\t\t"lost_percent":\t0,\n\t\t\t"sender":\tfalse', '"lost_packets":\tinf,\n\t\t\t"packets":\t191,\n\t\t\t"lost_percent":\tnan,\n\t\t\t"sender":\tfalse')),
      expected: { ok: true, measurement: { bandwidthMbps: 50062945.7541062 / 1e6, jitterMs: 1.7685330973561495, packets: 191 } },
    },
    {
      name: 'a document cut off mid-way (client killed) is unparsable with the last lines quoted',
      protocol: 'tcp',
      outcome: outcome(cut),
      expected: { ok: false, kind: 'unparsable', message: 'iperf3 printed no complete JSON document: \t\t\t"sender":\ttrue \t\t},' },
    },
    {
      name: 'empty output with exit 0 is unparsable',
      protocol: 'tcp',
      outcome: outcome(''),
      expected: { ok: false, kind: 'unparsable', message: 'iperf3 printed no complete JSON document' },
    },
    {
      name: 'empty stdout with exit 0 quotes stderr',
      protocol: 'tcp',
      outcome: outcome('', { stderr: 'warning: something odd\n' }),
      expected: { ok: false, kind: 'unparsable', message: 'iperf3 printed no complete JSON document: warning: something odd' },
    },
    {
      name: 'a non-zero exit without JSON is an exit-code failure quoting the last two lines of stderr',
      protocol: 'tcp',
      outcome: outcome('', { exitCode: 1, stderr: 'line one\niperf3: parameter error - invalid option\nUsage: iperf3 [-s|-c host] [options]\n' }),
      expected: {
        ok: false,
        kind: 'exit-code',
        message: 'iperf3 exited with code 1: iperf3: parameter error - invalid option Usage: iperf3 [-s|-c host] [options]',
      },
    },
    {
      name: 'a client command that fails before iperf3 runs (ip netns exec on a missing namespace) is an exit-code failure',
      protocol: 'tcp',
      outcome: outcome('', { exitCode: 1, stderr: 'Cannot open network namespace "lab-n9": No such file or directory\n' }),
      expected: {
        ok: false,
        kind: 'exit-code',
        message: 'iperf3 exited with code 1: Cannot open network namespace "lab-n9": No such file or directory',
      },
    },
    {
      name: 'a complete document without an "error" key but a non-zero exit is an exit-code failure, not a success',
      protocol: 'tcp',
      outcome: outcome(tcp, { exitCode: 2, stderr: 'iperf3: error - something after the test\n' }),
      expected: { ok: false, kind: 'exit-code', message: 'iperf3 exited with code 2: iperf3: error - something after the test' },
    },
    {
      name: 'an "error" key that is neither busy nor refused is an iperf-error with iperf3\'s words',
      protocol: 'tcp',
      outcome: outcome(iperf3Fixture('refused').replace('unable to connect to server: Connection refused', 'unable to connect to server: No route to host')),
      expected: { ok: false, kind: 'iperf-error', message: 'unable to connect to server: No route to host' },
    },
    {
      name: 'a control connection reset under the test is a reset failure (retried like busy)',
      protocol: 'tcp',
      outcome: outcome(iperf3Fixture('refused').replace('unable to connect to server: Connection refused', 'unable to receive control message: Connection reset by peer')),
      expected: { ok: false, kind: 'reset', message: 'unable to receive control message: Connection reset by peer' },
    },
    {
      name: 'a control socket closed unexpectedly is a reset failure',
      protocol: 'tcp',
      outcome: outcome(iperf3Fixture('refused').replace('unable to connect to server: Connection refused', 'control socket has closed unexpectedly')),
      expected: { ok: false, kind: 'reset', message: 'control socket has closed unexpectedly' },
    },
    {
      name: 'the failure JSON\'s "end": {} without an "error" key is unparsable, never 0 Mbit/s',
      protocol: 'tcp',
      outcome: outcome(iperf3Fixture('busy').replace(',\n\t"error":\t"the server is busy running a test. try again later"', '')),
      expected: { ok: false, kind: 'unparsable', message: 'iperf3 JSON has no end.sum_received.bits_per_second' },
    },
    {
      name: 'unknown extra fields anywhere are ignored',
      protocol: 'tcp',
      outcome: outcome(withUnknownFields),
      expected: { ok: true, measurement: { bandwidthMbps: 22487486781.290443 / 1e6, retransmits: 26, rttSeconds: 71 / 1e6 } },
    },
    {
      name: "a UDP capture without end.sum_received is a failure, never the sender's offered rate (end.sum) as goodput",
      protocol: 'udp',
      outcome: outcome(JSON.stringify({ ...JSON.parse(udp), end: { ...JSON.parse(udp).end, sum_received: undefined } })),
      expected: {
        ok: false,
        kind: 'unparsable',
        message: "iperf3 JSON has no end.sum_received.bits_per_second (end.sum holds only the sender's offered rate, not goodput)",
      },
    },
    {
      name: 'a JSON value that is not an object (an array, a number) is unparsable',
      protocol: 'tcp',
      outcome: outcome('[1,2,3]'),
      expected: { ok: false, kind: 'unparsable', message: 'iperf3 printed no complete JSON document: [1,2,3]' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(parseResult(c.outcome, c.protocol), c.expected));
  }
});

describe('iperf3 3.16+ JSON (derived: see test/fixtures/iperf3/README.md)', () => {
  const cases: { fixture: string; protocol: Protocol; expected: TestOutcome }[] = [
    {
      fixture: 'tcp-3.17-derived',
      protocol: 'tcp',
      // mean_rtt is fractional in newer versions; two sending streams average to (280.5 + 301) / 2 µs.
      expected: { ok: true, measurement: { bandwidthMbps: 1999992162.64 / 1e6, retransmits: 743, rttSeconds: (280.5 + 301) / 2 / 1e6 } },
    },
    {
      fixture: 'udp-3.17-derived',
      protocol: 'udp',
      expected: { ok: true, measurement: { bandwidthMbps: 99987203.5 / 1e6, jitterMs: 0.0123, packets: 8632, lostPackets: 3 } },
    },
  ];
  for (const c of cases) {
    test(`${c.fixture} parses to the receiver goodput and the newer fields do not disturb it`, () => {
      assert.deepEqual(parseResult(outcome(iperf3Fixture(c.fixture)), c.protocol), c.expected);
    });
  }
});

describe('extractJson', () => {
  const cases: { name: string; text: string; expected: unknown }[] = [
    { name: 'no brace at all', text: 'iperf3: error - unable to connect', expected: undefined },
    { name: 'text before and after the object', text: 'noise\n{"a": 1}\ntrailer {', expected: { a: 1 } },
    { name: 'braces and nan inside strings are kept as text', text: '{"s": "} { -nan inf \\" }"}', expected: { s: '} { -nan inf " }' } },
    { name: 'C float spellings become null', text: '{"a": -nan, "b": nan, "c": inf, "d": -inf, "e": infinity, "f": -1e-5}', expected: { a: null, b: null, c: null, d: null, e: null, f: -1e-5 } },
    { name: 'an unclosed object', text: '{"a": {"b": 1}', expected: undefined },
    { name: 'a closed but invalid object', text: '{"a": tru}', expected: undefined },
  ];
  for (const c of cases) {
    test(`extractJson: ${c.name}`, () => assert.deepEqual(extractJson(c.text), c.expected));
  }
});

describe('properties', () => {
  const anyOutcome = (stdout: fc.Arbitrary<string>): fc.Arbitrary<ProcessOutcome> =>
    fc.oneof(
      fc.record(
        { ended: fc.constant('exited' as const), stdout, stderr: fc.string(), exitCode: fc.option(fc.integer({ min: -1, max: 255 }), { nil: undefined }) },
        { requiredKeys: ['ended', 'stdout', 'stderr'] },
      ),
      fc.record({ ended: fc.constant('timed-out' as const), timeoutMs: fc.nat() }),
      fc.constant({ ended: 'aborted' as const }),
    );
  const bytesAsText = fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('latin1'));
  const jsonish = fc.array(fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '-', 'nan', 'inf', 'null', '1', 'e', ' ', '\n', 'error'), { maxLength: 300 }).map((a) => a.join(''));
  const prefixOfCapture = fc
    .tuple(fc.constantFrom('tcp', 'udp', 'busy', 'interrupted', 'tcp-reverse-parallel'), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([name, f]) => {
      const text = iperf3Fixture(name);
      return text.slice(0, Math.floor(text.length * f));
    });

  test('random bytes, unicode strings, JSON-ish noise and cut captures never make extractJson throw', () => {
    fc.assert(
      fc.property(fc.oneof(bytesAsText, fc.string({ unit: 'binary', maxLength: 2000 }), jsonish, prefixOfCapture), (text) => {
        extractJson(text);
      }),
      { numRuns: 2000 },
    );
  });

  test('parseResult never throws and always returns a classified outcome, whatever the client produced', () => {
    const kinds = new Set(['timeout', 'busy', 'refused', 'reset', 'iperf-error', 'unparsable', 'exit-code', 'spawn', 'exec', 'unreachable', 'aborted']);
    fc.assert(
      fc.property(anyOutcome(fc.oneof(bytesAsText, fc.string({ unit: 'binary' }), jsonish, prefixOfCapture)), fc.constantFrom<Protocol>('tcp', 'udp'), (o, protocol) => {
        const r = parseResult(o, protocol);
        if (r.ok) assert.ok(Number.isFinite(r.measurement.bandwidthMbps));
        else {
          assert.ok(kinds.has(r.kind), r.kind);
          assert.equal(typeof r.message, 'string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('any parsed JSON value, with C float spellings, never makes parseResult throw', () => {
    fc.assert(
      fc.property(fc.json(), fc.constantFrom<Protocol>('tcp', 'udp'), (json, protocol) => {
        parseResult(outcome(json.replaceAll('0', '-nan')), protocol);
        parseResult(outcome(`{"end": ${json}}`), protocol);
        parseResult(outcome(`{"end": {"sum_received": ${json}, "streams": ${json}}}`), protocol);
      }),
      { numRuns: 1000 },
    );
  });

  test('a very deep nesting is unparsable, not a stack overflow', () => {
    const deep = '{"a":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
    assert.deepEqual(parseResult(outcome(deep), 'tcp'), { ok: false, kind: 'unparsable', message: 'iperf3 JSON has no end.sum_received.bits_per_second' });
  });
});
