import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { labName } from '../support/lab-name.ts';

// The pair budget on a real 3-node lab and a real Pushgateway: each run tests the least recently
// tested pairs, the others keep their earlier results (a PUT replaces a whole group, so they are
// written back), results past --max-result-age and results of vanished nodes are dropped.

let lab: LabState;
let gw: RealPushgateway;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: labName('budg'), nodes: 3, nicMbit: 200, slow: [], port: 5201, pushgateway: false });
  gw = await startPushgateway();
});
after(async () => {
  await gw?.stop();
  await labDown(labName('budg'));
});

const run = async (targets: string, ...extra: string[]) => {
  const r = await runCli(['run', '--targets', targets, '--client-command', lab.clientCommand, '--duration', '1', '--omit', '0', '--pushgateway', gw.url, '--output', 'json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { pairs: { source_node: string; destination_node: string }[]; push: { carried: number; deleted: string[] } };
};
const timestamps = async () => {
  const text = await gw.metrics();
  return new Map(
    [...text.matchAll(/^iperf_test_timestamp_seconds\{destination_node="(\w+)",instance="",job="iperf3-monitor",network="host",protocol="tcp",source_node="(\w+)"\} (\S+)$/gm)].map((m) => [`${m[2]}>${m[1]}`, Number(m[3])]),
  );
};

test('a budget of 2 of 6 pairs covers the mesh in 3 runs, keeping the untested results', async () => {
  const tested: string[][] = [];
  for (let i = 0; i < 3; i++) {
    const r = await run(lab.targetsFile, '--max-pairs', '2');
    assert.equal(r.pairs.length, 2);
    tested.push(r.pairs.map((p) => `${p.source_node}>${p.destination_node}`));
    assert.equal((await timestamps()).size, 2 * (i + 1));
  }
  assert.equal(new Set(tested.flat()).size, 6);
  // The fourth run goes back to the two oldest results.
  const before4 = await timestamps();
  const r4 = await run(lab.targetsFile, '--max-pairs', '2');
  assert.deepEqual(r4.pairs.map((p) => `${p.source_node}>${p.destination_node}`).sort(), [...tested[0]!].sort());
  const after4 = await timestamps();
  for (const k of tested[2]!) assert.equal(after4.get(k), before4.get(k), `${k} was carried over unchanged`);
});

test('results older than --max-result-age are dropped', async () => {
  const r = await run(lab.targetsFile, '--max-pairs', '2', '--max-result-age', '0.001');
  assert.equal(r.push.carried, 0);
  assert.equal((await timestamps()).size, 2);
});

test('a node missing from one run (NotReady, mid-rollout) keeps its group and results, stale by their timestamps, until --max-result-age', async () => {
  await run(lab.targetsFile); // everything fresh again
  const before = await timestamps();
  const targets = JSON.parse(readFileSync(lab.targetsFile, 'utf8')) as { node: string }[];
  const two = join(lab.dir, 'targets-two.json');
  writeFileSync(two, JSON.stringify(targets.filter((t) => t.node !== 'n3')));
  const r2 = await run(two, '--max-pairs', '1');
  assert.deepEqual(r2.push.deleted, []);
  const kept = await timestamps();
  assert.deepEqual([...kept.keys()].sort(), [...before.keys()].sort(), 'every result is still there');
  for (const k of ['n1>n3', 'n2>n3', 'n3>n1', 'n3>n2']) assert.equal(kept.get(k), before.get(k), `${k} kept with its old timestamp`);
  assert.deepEqual((await gw.groups()).map((g) => g.source_node).filter(Boolean).sort(), ['n1', 'n2', 'n3']);

  // Once its results are older than --max-result-age, the node's group and the results towards it go.
  const r3 = await run(two, '--max-result-age', '0.5');
  assert.deepEqual(r3.push.deleted, ['n3']);
  assert.ok(![...(await timestamps()).keys()].some((k) => k.includes('n3')), 'no result towards or from n3');
  assert.deepEqual((await gw.groups()).map((g) => g.source_node).filter(Boolean).sort(), ['n1', 'n2']);
});
