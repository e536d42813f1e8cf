import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { labName } from '../support/lab-name.ts';
import { restartServer, serverPid } from '../support/lab-faults.ts';
import { ensureBuilt } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { startPrometheus, type RealPrometheus } from '../support/prometheus.ts';
import { startAlertmanager, type AmAlert, type RealAlertmanager } from '../support/alertmanager.ts';
import { startRecorder, reply, type HttpRecorder } from '../support/http-recorder.ts';
import { renderRuleGroups, writeRulesFile } from './rendered-rules.ts';
import { startRunnerLoop, type RunnerLoop } from './runner-loop.ts';

// From a slow link to an Alertmanager alert, with every part real: a 3-node lab (n1→n2 shaped to
// 20 Mbit/s, n3's iperf3 server killed), the runner run again and again like its CronJob, a Pushgateway,
// a Prometheus scraping it with honor_labels and loading the chart's rules (rendered from alerts/ with
// test/alerting/e2e-values.yaml: threshold 50 Mbit/s, `for` 3 s, staleness 60 s), and an Alertmanager
// that routes team="network" to a webhook with the shipped inhibit_rules (alerts/alertmanager-inhibit-rules.yaml),
// so that the dead server pages once (Iperf3DestinationFailing), not once per source. The tests run in
// order and share that state.

const LAB = labName('alrt');
const NIC = 200;
const SLOW = 20;
const STALE_S = 60; // thresholds.staleSeconds in e2e-values.yaml (the chart's schema minimum)
const VALUES = 'test/alerting/e2e-values.yaml';

let lab: LabState | undefined;
let gw: RealPushgateway | undefined;
let am: RealAlertmanager | undefined;
let prom: RealPrometheus | undefined;
let hook: HttpRecorder | undefined;
let runner: RunnerLoop | undefined;
let dir: string | undefined;

before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-alerting-'));
  const rules = join(dir, 'iperf3-monitor.rules.yaml');
  writeRulesFile(rules, renderRuleGroups([VALUES]));
  lab = await labUp({ name: LAB, nodes: 3, nicMbit: NIC, slow: [`n1>n2=${SLOW}`], port: 5201, pushgateway: false });
  process.kill(serverPid(lab, 'n3'), 'SIGKILL');
  gw = await startPushgateway();
  hook = await startRecorder(reply(200));
  am = await startAlertmanager({
    webhookMatcher: 'team="network"',
    webhookUrl: `${hook.url}/alerts`,
    // The inhibition the README shows: a dead node, or a stopped runner, is one problem, not one per path.
    inhibitRules: (parse(readFileSync('alerts/alertmanager-inhibit-rules.yaml', 'utf8')) as { inhibit_rules: Record<string, unknown>[] }).inhibit_rules,
    // Longer than one scrape plus one evaluation (1 s each): the groups of one run reach the Pushgateway one
    // after the other, so a node alert can fire one evaluation after the path alerts it inhibits (README).
    groupWait: '3s',
  });
  prom = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [rules], alertmanager: am.address, intervalS: 1 });
});

after(async () => {
  // Each stop is independent: one failing must not leave the others running.
  const steps = [() => runner?.kill(), () => prom?.stop(), () => am?.stop(), () => hook?.close(), () => gw?.stop(), () => labDown(LAB)];
  for (const step of steps) await Promise.resolve().then(step).catch((e) => console.error(`teardown: ${(e as Error).message}`));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** "Alertname source→destination" (or →destination, or the source node alone, or nothing): what the assertions compare. */
const label = (l: Record<string, string | undefined>): string => {
  const [s, d] = [l.source_node, l.destination_node];
  return [l.alertname, s && d ? `${s}→${d}` : d ? `→${d}` : s].filter(Boolean).join(' ');
};
const describe = (alerts: AmAlert[]): string[] => alerts.map((a) => label(a.labels)).sort();

/** Polls Alertmanager every 100 ms until `ready` holds; returns the alerts and when they were seen. */
async function waitForAlerts(what: string, ready: (a: AmAlert[]) => boolean, timeoutMs: number): Promise<{ alerts: AmAlert[]; at: number }> {
  const deadline = Date.now() + timeoutMs;
  let last: AmAlert[] = [];
  for (;;) {
    last = await am!.alerts();
    if (ready(last)) return { alerts: last, at: Date.now() };
    if (Date.now() > deadline) {
      const runs = runner?.runs.map((r) => `exit ${r.code} after ${r.endedAt - r.startedAt} ms`).join(', ');
      throw new Error(`${what}: not within ${timeoutMs} ms; Alertmanager holds ${JSON.stringify(describe(last))}; runs: ${runs}\nPrometheus log:\n${prom!.log().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const named = (alerts: AmAlert[], name: string) => alerts.filter((a) => a.labels.alertname === name);

test('Prometheus loads the chart-rendered rules with the overridden threshold and for durations', async () => {
  const rules = await prom!.rules();
  assert.equal(rules.length, 16);
  const low = rules.find((r) => r.name === 'Iperf3PathBandwidthLow');
  assert.equal(low?.query, 'iperf_network_bandwidth_mbps{job="iperf3-monitor",protocol="tcp"} < 50');
  assert.equal(low?.duration, 3);
  assert.equal(rules.find((r) => r.name === 'Iperf3MonitorResultsStale')?.query, `time() - iperf_run_timestamp_seconds{job="iperf3-monitor"} > ${STALE_S}`);
});

let firstSlow: { measuredAt: number; pushedAt: number } | undefined;

/** Every alert the webhook was notified of as firing, labelled as `describe` does. */
const notifiedFiring = (): string[] =>
  hook!.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { status: string; labels: Record<string, string> }[] }).alerts.filter((a) => a.status === 'firing').map((a) => label(a.labels)));


// The dead server n3 is judged down once n2, refused by it, reaches n1 (--busy-retries 0 keeps the order
// fixed): n2→n3 is the one pair tried and failing, n1→n3 is skipped (destination-down). Both count against
// n3 in Iperf3DestinationFailing, which pages once and inhibits the path alert of the pair that tried it.
test('the slow pair raises Iperf3PathBandwidthLow and the dead server one Iperf3DestinationFailing that inhibits its Iperf3PathFailing alert, nothing else', { timeout: 60_000 }, async () => {
  runner = startRunnerLoop(['--targets', lab!.targetsFile, '--client-command', lab!.clientCommand, '--pushgateway', gw!.url, '--duration', '1', '--omit', '0', '--concurrency', '3', '--busy-retries', '0'], 500);
  const expected = ['Iperf3DestinationFailing →n3', 'Iperf3PathBandwidthLow n1→n2', 'Iperf3PathFailing n2→n3'];
  const { alerts, at } = await waitForAlerts('the slow-pair and failing-pair alerts', (a) => expected.every((e) => describe(a).includes(e)), 45_000);
  // Healthy pairs (n2→n1, n3→n1, n3→n2) and the runner raise nothing.
  assert.deepEqual(describe(alerts), expected);

  const first = runner.runs[0]!;
  assert.equal(first.code, 0, first.stderr);
  const slow = first.report!.pairs.find((p) => p.source_node === 'n1' && p.destination_node === 'n2')!;
  assert.ok(slow.bandwidth_mbps! < SLOW, `n1→n2 read ${slow.bandwidth_mbps} Mbit/s`);
  for (const p of first.report!.pairs.filter((x) => x !== slow && x.destination_node !== 'n3')) {
    assert.ok(p.bandwidth_mbps! > 0.9 * NIC, `${p.source_node}→${p.destination_node} read ${p.bandwidth_mbps} Mbit/s`);
  }
  assert.deepEqual(first.report!.pairs.filter((p) => !p.success).map((p) => `${p.source_node}→${p.destination_node} ${p.status}`).sort(), ['n1→n3 skipped', 'n2→n3 failure']);
  firstSlow = { measuredAt: Date.parse(slow.started_at!) + slow.duration_s! * 1000, pushedAt: first.endedAt };
  const fromMeasurement = (at - firstSlow.measuredAt) / 1000;
  const fromPush = (at - firstSlow.pushedAt) / 1000;
  console.log(`# alert latency: Iperf3PathBandwidthLow reached Alertmanager ${fromMeasurement.toFixed(1)} s after the first slow measurement ended (${fromPush.toFixed(1)} s after the run that pushed it exited; for: 3s, scrape and evaluation every 1 s)`);

  const [low] = named(alerts, 'Iperf3PathBandwidthLow');
  assert.deepEqual(low!.labels, { alertname: 'Iperf3PathBandwidthLow', severity: 'warning', team: 'network', job: 'iperf3-monitor', source_node: 'n1', destination_node: 'n2', protocol: 'tcp', network: 'host' });
  assert.equal(low!.annotations.summary, 'Low bandwidth from n1 to n2 (tcp)');
  assert.match(low!.annotations.description!, /^tcp goodput from n1 to n2 is 1\d\.\d Mbit\/s, below 50 Mbit\/s in every run for at least 3s\.$/);
  assert.deepEqual(low!.receivers.map((r) => r.name), ['webhook']);
  for (const f of named(alerts, 'Iperf3PathFailing')) {
    assert.equal(f.labels.severity, 'critical');
    assert.equal(f.annotations.summary, `iperf3 test from ${f.labels.source_node} to n3 (tcp) failing`);
    assert.match(f.annotations.description!, new RegExp(`^The tcp test from ${f.labels.source_node} to n3 has failed in every run for at least 3s: `));
  }
  // Not even pending for a healthy pair: every alert Prometheus has held since the start (ALERTS keeps
  // pending ones too) is one of the expected.
  const ever = await prom!.query('max_over_time(ALERTS[10m])');
  assert.deepEqual([...new Set(ever.map((s) => label(s.metric)))].sort(), expected);
  // The node alert inhibits the path alert it explains (n2→n3; n1→n3 was skipped): Alertmanager lists it as suppressed.
  const [dest] = named(alerts, 'Iperf3DestinationFailing');
  assert.deepEqual(dest!.labels, { alertname: 'Iperf3DestinationFailing', severity: 'critical', team: 'network', job: 'iperf3-monitor', destination_node: 'n3', network: 'host' });
  assert.equal(dest!.annotations.summary, 'Tests to n3 fail from nearly every source');
  assert.deepEqual(dest!.status.inhibitedBy, []);
  await waitForAlerts('inhibition of the path alerts to n3', (a) => named(a, 'Iperf3PathFailing').length === 1 && named(a, 'Iperf3PathFailing').every((x) => x.status.state === 'suppressed'), 5_000);
  // Routing: the team label sends the slow-path alert and the one node alert to the webhook; the dead
  // server pages once, not once per source.
  await waitForAlerts('webhook notifications', () => ['Iperf3PathBandwidthLow n1→n2', 'Iperf3DestinationFailing →n3'].every((x) => notifiedFiring().includes(x)), 10_000);
  assert.deepEqual([...new Set(notifiedFiring())].sort(), ['Iperf3DestinationFailing →n3', 'Iperf3PathBandwidthLow n1→n2']);
});

test('restoring the link and restarting the server resolve both alerts within the next runs', { timeout: 60_000 }, async () => {
  const n1 = lab!.spec.nodes[0]!;
  const classid = `1:${(lab!.spec.nodes.findIndex((n) => n.name === 'n2') + 10).toString(16)}`;
  execFileSync('ip', ['netns', 'exec', n1.netns, 'tc', 'class', 'change', 'dev', 'eth0', 'parent', '1:1', 'classid', classid, 'htb', 'rate', `${NIC}mbit`, 'ceil', `${NIC}mbit`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await restartServer(lab!, 'n3');
  const restoredAt = Date.now();
  const runsBefore = runner!.runs.length;
  // Resolved only counts once a run that started after the repair has pushed: on a loaded machine the
  // alerts can read resolved for a moment before that run (CI saw the last run still failing n3's pairs).
  const repaired = () => runner!.runs.find((r) => r.startedAt >= restoredAt && r.report !== undefined);
  const { alerts, at } = await waitForAlerts(
    'resolution of the path alerts',
    (a) =>
      repaired() !== undefined &&
      named(a, 'Iperf3PathBandwidthLow').length === 0 &&
      named(a, 'Iperf3PathFailing').length === 0 &&
      named(a, 'Iperf3DestinationFailing').length === 0,
    45_000,
  );
  assert.deepEqual(describe(alerts), []);
  console.log(`# resolved ${((at - restoredAt) / 1000).toFixed(1)} s after the repair, ${runner!.runs.length - runsBefore} run(s) later`);
  const last = repaired()!;
  assert.equal(last.report!.pairs.filter((p) => !p.success).length, 0, JSON.stringify(last.report!.pairs));
  // The inhibited path alerts were never notified, not even while they resolved.
  assert.ok(!notifiedFiring().some((x) => x.startsWith('Iperf3PathFailing')), JSON.stringify(notifiedFiring()));
  await waitForAlerts('resolved webhook notification', () =>
    hook!.requests.some((r) => (JSON.parse(r.body) as { status: string; alerts: { labels: Record<string, string> }[] }).alerts.some((x) => x.labels.alertname === 'Iperf3PathBandwidthLow') && JSON.parse(r.body).status === 'resolved'),
  10_000);
});

test('stopping the runner raises Iperf3MonitorResultsStale and Iperf3MonitorSourceStale once the staleness window passes', { timeout: (STALE_S + 40) * 1000 }, async () => {
  await runner!.stop();
  const lastRun = runner!.runs.at(-1)!.endedAt;
  const expected = ['Iperf3MonitorResultsStale', 'Iperf3MonitorSourceStale n1', 'Iperf3MonitorSourceStale n2', 'Iperf3MonitorSourceStale n3'];
  const early = await am!.alerts();
  assert.deepEqual(describe(early), [], 'nothing is stale right after the last run');
  const { alerts, at } = await waitForAlerts('the stale-results alerts', (a) => expected.every((e) => describe(a).includes(e)), (STALE_S + 30) * 1000);
  assert.deepEqual(describe(alerts), expected);
  const waited = (at - lastRun) / 1000;
  console.log(`# stale alerts reached Alertmanager ${waited.toFixed(1)} s after the last run (window ${STALE_S} s)`);
  assert.ok(waited >= STALE_S, `fired after ${waited} s, before the ${STALE_S} s window`);
  const [stale] = named(alerts, 'Iperf3MonitorResultsStale');
  assert.deepEqual(stale!.labels, { alertname: 'Iperf3MonitorResultsStale', severity: 'warning', team: 'network', job: 'iperf3-monitor'});
  assert.match(stale!.annotations.summary!, /^iperf3-monitor has not finished a run for 1m \d+s$/);
  assert.match(stale!.annotations.description!, /^The last iperf3-monitor run \(job iperf3-monitor\) ended 1m \d+s ago, more than 60s \(three schedule intervals\)/);
  // The per-source alerts are inhibited by the run-level one (they stay listed, marked suppressed).
  assert.deepEqual(stale!.status.inhibitedBy, []);
  await waitForAlerts('inhibition of the per-source alerts', (a) => named(a, 'Iperf3MonitorSourceStale').every((x) => x.status.state === 'suppressed'), 5_000);
  const notified = () => hook!.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] }).alerts.map((x) => x.labels.alertname));
  await waitForAlerts('the webhook notification of Iperf3MonitorResultsStale', () => notified().includes('Iperf3MonitorResultsStale'), 10_000);
});
