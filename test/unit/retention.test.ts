// retention + carryOver: a node not discovered keeps its group and results until they are older than
// --max-result-age; a node whose Node object is known to be gone loses them at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retention } from '../../src/push/retention.ts';
import { carryOver } from '../../src/push/carry-over.ts';
import { previousKey, type PreviousPair } from '../../src/push/previous-results.ts';

const at = 1000;
const earlier = (source: string, destination: string, timestamp = at): [string, PreviousPair] => [
  previousKey(source, destination, 'tcp'),
  { source, destination, protocol: 'tcp', timestamp, values: { iperf_test_success: 1, iperf_test_timestamp_seconds: timestamp } },
];
const previous = new Map([earlier('n1', 'n3'), earlier('n3', 'n1'), earlier('n1', 'n2', 10)]);
const discovered = new Set(['n1', 'n2']);

test('without Node objects, an undiscovered node with young results keeps its group and the results towards it', () => {
  const kept = retention({ discovered, previous, notBefore: 500 });
  assert.deepEqual([...kept.keptSources].sort(), ['n1', 'n2', 'n3']);
  const { carried, emptied } = carryOver(previous, [], kept.gone, 500);
  assert.deepEqual(carried.map((p) => `${p.source}>${p.destination}`).sort(), ['n1>n3']);
  assert.deepEqual(emptied, []);
});

test('once its results are older than the cut-off, the undiscovered node loses its group', () => {
  const kept = retention({ discovered, previous, notBefore: 2000 });
  assert.deepEqual([...kept.keptSources].sort(), ['n1', 'n2']);
});

test('with Node objects known, a node without one is gone at once, however young its results', () => {
  const kept = retention({ discovered, nodeObjects: new Set(['n1', 'n2']), previous, notBefore: 500 });
  assert.deepEqual([...kept.keptSources].sort(), ['n1', 'n2']);
  assert.equal(kept.gone('n3'), true);
  const { carried } = carryOver(previous, [], kept.gone, 500);
  assert.deepEqual(carried, []);
  // A node that still has its Node object (NotReady, mid-rollout) is kept like without the input.
  assert.deepEqual([...retention({ discovered, nodeObjects: new Set(['n1', 'n2', 'n3']), previous, notBefore: 500 }).keptSources].sort(), ['n1', 'n2', 'n3']);
});

test("the pair budget reads last run's destination-down skips as judged at that run's end", async () => {
  const { readGatewayState } = await import('../../src/push/previous-results.ts');
  async function* samples() {
    const run = { job: 'iperf3-monitor', instance: '' };
    yield { name: 'iperf_test_skipped', labels: { ...run, source_node: 'n1', destination_node: 'n3', protocol: 'tcp', reason: 'destination-down' }, value: 1 };
    yield { name: 'iperf_test_skipped', labels: { ...run, source_node: 'n2', destination_node: 'n3', protocol: 'tcp', reason: 'deadline' }, value: 1 };
    yield { name: 'iperf_run_timestamp_seconds', labels: run, value: 1234 };
  }
  const state = await readGatewayState(samples(), 'iperf3-monitor');
  assert.deepEqual([...state.judgedDown], [[previousKey('n1', 'n3', 'tcp'), 1234]]);
});
