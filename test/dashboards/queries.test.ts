// Every dashboard variable and panel query returns data from a real Prometheus after a real run: a
// 3-node network-namespace lab (src/lab), `iperf3-monitor run` over it with TCP and UDP pushing to a real
// Pushgateway, a real Prometheus scraping that with honor_labels. Variables are substituted as Grafana
// does, for "All" and for a single selected path, and panels are queried for each protocol. Every node is a
// target twice, as network "host" and "pod" (the same lab server), so every pair has both networks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { startPrometheus, type RealPrometheus } from '../support/prometheus.ts';
import { waitFor } from '../support/wait-for.ts';
import { loadDashboard, parseLabelValues, queryPanels, substitute, variableQuery, type Target } from './dashboard.ts';
import { addZones } from './zones.ts';

const ZONES: Record<string, string> = { n1: 'zone-a', n2: 'zone-a', n3: 'zone-b' };

const LAB = 'dash';
let lab: LabState | undefined;
let gw: RealPushgateway | undefined;
let prom: RealPrometheus | undefined;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, nodes: 3, nicMbit: 200, slow: ['n1>n2=50'], port: 5201, pushgateway: false });
  const hostTargets = JSON.parse(readFileSync(lab.targetsFile, 'utf8')) as Record<string, unknown>[];
  const bothNetworks = lab.targetsFile.replace(/\.json$/, '-both.json');
  writeFileSync(bothNetworks, JSON.stringify([...hostTargets, ...hostTargets.map((t) => ({ ...t, network: 'pod' }))]));
  gw = await startPushgateway();
  prom = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [], intervalS: 1 });
  const run = (...extra: string[]) => runCli(
    ['run', '--targets', bothNetworks, '--client-command', lab!.clientCommand, '--protocols', 'tcp,udp', '--duration', '1', '--omit', '0',
      '--udp-bitrate', '20M', '--run-interval', '300', '--pushgateway', gw!.url, '--output', 'none', ...extra],
    {}, 120_000,
  );
  const r = await run();
  assert.equal(r.code, 0, r.stderr);
  await new Promise((res) => setTimeout(res, 2000)); // the second run's results are measurably younger
  const second = await run('--max-pairs', '2');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual((await addZones(gw.url, 'iperf3-monitor', ZONES)).sort(), ['n1', 'n2', 'n3']);
  await waitFor('Prometheus to scrape the zoned groups', async () => (await prom!.query('iperf_network_bandwidth_mbps{source_zone=""}')).length === 0 && (await prom!.query('iperf_network_bandwidth_mbps{source_zone!=""}')).length > 0, 20_000);
  await waitFor('Prometheus to scrape the run', async () => (await prom!.query('iperf_run_timestamp_seconds')).length > 0 && (await prom!.query('iperf_network_jitter_ms')).length > 0, 20_000);
  await new Promise((res) => setTimeout(res, 2000)); // a few more scrapes, so range queries have points
});

after(async () => {
  for (const step of [() => prom?.stop(), () => gw?.stop(), () => labDown(LAB)]) {
    await Promise.resolve().then(step).catch((e) => console.error(`teardown: ${(e as Error).message}`));
  }
});

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${prom!.url}${path}`);
  const doc = (await res.json()) as { status: string; data: T; error?: string };
  assert.equal(doc.status, 'success', `${path}: ${doc.error}`);
  return doc.data;
}

/** What Grafana asks Prometheus for a label_values(selector, label) variable. */
async function labelValues(query: string): Promise<string[]> {
  const [selector, label] = parseLabelValues(query);
  return api<string[]>(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(selector)}`);
}

async function runTarget(t: Target, selected: Record<string, string[]>): Promise<number> {
  const expr = substitute(t.expr, selected);
  assert.doesNotMatch(expr, /\$/, `unsubstituted variable in ${expr}`);
  if (t.instant) return (await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result.length;
  const end = Date.now() / 1000;
  return (await api<{ result: unknown[] }>(`/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - 120}&end=${end}&step=1`)).result.length;
}

const d = loadDashboard();
const queryVars = d.templating.list.filter((v) => v.type === 'query');
/** The custom variables at their default (Grafana's `current`). */
const customDefaults = Object.fromEntries(
  d.templating.list.filter((v) => v.type === 'custom').map((v) => [v.name, [(v as unknown as { current: { value: string } }).current.value]]),
);

/** Resolves the variables in order, picking `pick(name, values)` for each, as a user would in Grafana. */
async function resolve(pick: (name: string, values: string[]) => string[]): Promise<Record<string, string[]>> {
  const selected: Record<string, string[]> = { ...customDefaults };
  for (const v of queryVars) {
    const values = await labelValues(substitute(variableQuery(v), selected));
    assert.ok(values.length > 0, `variable ${v.name} has values`);
    selected[v.name] = pick(v.name, values);
  }
  return selected;
}

test('every variable query returns values, cascading from All', async () => {
  const s = await resolve((name, values) => (name === 'source_node' || name === 'destination_node' ? ['.*'] : [values[0]!]));
  assert.deepEqual(s.job, ['iperf3-monitor']);
});

test('picking one source narrows the destinations to the nodes it tested', async () => {
  const s = await resolve((name, values) => (name === 'source_node' ? ['n1'] : [values[0]!]));
  assert.deepEqual(await labelValues(substitute(variableQuery(queryVars.find((v) => v.name === 'destination_node')!), s)), ['n2', 'n3']);
});

for (const protocol of ['tcp', 'udp']) {
  for (const scope of ['all paths', 'the path n1 to n2']) {
    test(`every panel query returns data for ${protocol} and ${scope}`, async () => {
      const one = scope !== 'all paths';
      const selected = await resolve((name, values) => {
        if (name === 'protocol') return [protocol];
        if (name === 'source_node') return one ? ['n1'] : ['.*'];
        if (name === 'destination_node') return one ? ['n2'] : ['.*'];
        return [values[0]!];
      });
      const empty: string[] = [];
      for (const p of queryPanels(d)) {
        for (const t of p.targets ?? []) if ((await runTarget(t, selected)) === 0) empty.push(`${p.title} (${t.refId})`);
      }
      assert.deepEqual(empty, [], 'panels without data');
    });
  }
}

type Sample = { metric: Record<string, string>; value: [number, string] };
const panelExpr = (title: string) => {
  const expr = queryPanels(d).find((p) => p.title === title)?.targets?.[0]?.expr;
  assert.ok(expr, `panel ${title}`);
  return expr;
};
/** An instant query at `time` (unix seconds), variables substituted. */
const instant = async (expr: string, selected: Record<string, string[]>, time: number) =>
  (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(substitute(expr, selected))}&time=${time}`)).result;
const pathOf = (m: Record<string, string>) => `${m.source_node}>${m.destination_node}`;
/** Prometheus' quantile(0.5): linear interpolation between the middle values. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) / 2;
  const low = Math.floor(rank);
  return sorted[low]! + (sorted[Math.ceil(rank)]! - sorted[low]!) * (rank - low);
}
const tcp = { job: ['iperf3-monitor'], protocol: ['tcp'], network: ['host'], source_node: ['.*'], destination_node: ['.*'] };

test('the matrix shows a fresh result as its Mbit/s and an older one as stale (-1), never its old number, per network', async () => {
  const now = Math.floor(Date.now() / 1000);
  const key = (m: Record<string, string>) => `${pathOf(m)}/${m.protocol}/${m.network}`;
  const stamps = await instant('iperf_test_timestamp_seconds{job="iperf3-monitor"}', {}, now);
  const byAge = stamps.map((s) => [key(s.metric), Number(s.value[1])] as const).sort((a, b) => a[1] - b[1]);
  // The second run (--max-pairs 2) measured the two newest; draw the line between them and the rest.
  const cut = byAge.length - 2;
  assert.ok(byAge[cut]![1] - byAge[cut - 1]![1] >= 1, `two generations of results: ${JSON.stringify(byAge)}`);
  const staleAfter = now - (byAge[cut - 1]![1] + byAge[cut]![1]) / 2;
  const fresh = new Set(byAge.slice(cut).map(([path]) => path));
  const bandwidth = new Map((await instant('iperf_network_bandwidth_mbps{job="iperf3-monitor"}', {}, now)).map((s) => [key(s.metric), Number(s.value[1])]));
  const matrix = panelExpr('Bandwidth matrix (source × destination)');
  const shown: Record<string, number> = {};
  const atDefault: Record<string, number> = {};
  for (const network of ['host', 'pod']) {
    const any = { ...tcp, protocol: ['.*'], network: [network] };
    for (const s of await instant(matrix, { ...any, stale_after: [String(staleAfter)] }, now)) shown[key(s.metric)] = Number(s.value[1]);
    for (const s of await instant(matrix, { ...any, ...customDefaults }, now)) atDefault[key(s.metric)] = Number(s.value[1]);
  }
  const expected = Object.fromEntries([...bandwidth].map(([path, mbps]) => [path, fresh.has(path) ? mbps : -1]));
  assert.deepEqual(shown, expected);
  assert.equal(Object.keys(shown).filter((k) => k.endsWith('/pod')).length, Object.keys(shown).length / 2, 'half the cells are pod-network ones');
  assert.ok(Object.values(shown).includes(-1) && Object.values(shown).some((v) => v > 0), 'both kinds of cell');
  // At the default (1 h) every cell is current.
  assert.deepEqual(atDefault, Object.fromEntries(bandwidth));
});

test('the CNI overhead panels show each pair\'s pod/host TCP ratio, and the worst pairs lowest first', async () => {
  const now = Math.floor(Date.now() / 1000);
  const bw = await instant('iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp"}', {}, now);
  const of = (network: string) => new Map(bw.filter((s) => s.metric.network === network).map((s) => [pathOf(s.metric), Number(s.value[1])]));
  const [host, pod] = [of('host'), of('pod')];
  assert.equal(host.size, 6);
  const expected = Object.fromEntries([...pod].map(([path, mbps]) => [path, mbps / host.get(path)!]));
  const vars = { job: ['iperf3-monitor'], ...customDefaults };
  const cells = await instant(panelExpr('CNI overhead: pod/host TCP bandwidth ratio (source × destination)'), vars, now);
  const shown = Object.fromEntries(cells.map((s) => [pathOf(s.metric), Number(s.value[1])]));
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(expected).sort());
  for (const [path, ratio] of Object.entries(expected)) assert.ok(Math.abs(shown[path]! - ratio) < 1e-9, `${path}: ${shown[path]} vs ${ratio}`);
  console.log(`# pod/host ratios on the lab (same servers, two runs of the mesh): ${Object.entries(shown).map(([p, r]) => `${p} ${r.toFixed(3)}`).join('; ')}`);
  const worst = (await instant(panelExpr('Worst pairs: pod/host TCP bandwidth ratio'), vars, now)).map((s) => Number(s.value[1]));
  assert.deepEqual(worst, Object.values(expected).sort((a, b) => a - b));
  const none = await instant(panelExpr('CNI overhead: pod/host TCP bandwidth ratio (source × destination)'), { ...vars, stale_after: ['0.001'] }, now);
  assert.deepEqual(none, [], 'stale results give no ratio');
});

test('the worst nodes in and out are the medians of their paths, slowest first', async () => {
  const now = Math.floor(Date.now() / 1000);
  const bandwidth = await instant('iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp", network="host"}', {}, now);
  for (const [title, label] of [['Worst nodes out (median Mbit/s sent)', 'source_node'], ['Worst nodes in (median Mbit/s received)', 'destination_node']] as const) {
    const perNode = new Map<string, number[]>();
    for (const s of bandwidth) perNode.set(s.metric[label]!, [...(perNode.get(s.metric[label]!) ?? []), Number(s.value[1])]);
    const expected = [...perNode].map(([node, values]) => [node, median(values)] as const).sort((a, b) => a[1] - b[1]);
    const shown = (await instant(panelExpr(title), { ...tcp, ...customDefaults }, now)).map((s) => [s.metric[label], Number(s.value[1])] as const);
    assert.equal(shown.length, 3, title);
    for (const [i, [node, value]] of shown.entries()) {
      assert.equal(node, expected[i]![0], `${title}: rank ${i + 1}`);
      assert.ok(Math.abs(value - expected[i]![1]) < 1e-6, `${title}: ${node} ${value} vs ${expected[i]![1]}`);
    }
  }
});

test('the cross-zone matrix holds the median of the paths between each pair of zones', async () => {
  const now = Math.floor(Date.now() / 1000);
  const bandwidth = await instant('iperf_network_bandwidth_mbps{job="iperf3-monitor", protocol="tcp", network="host"}', {}, now);
  const perZones = new Map<string, number[]>();
  for (const s of bandwidth) {
    assert.equal(s.metric.source_zone, ZONES[s.metric.source_node!]);
    const key = `${ZONES[s.metric.source_node!]}>${ZONES[s.metric.destination_node!]}`;
    perZones.set(key, [...(perZones.get(key) ?? []), Number(s.value[1])]);
  }
  const shown = await instant(panelExpr('Cross-zone matrix (median Mbit/s, source zone × destination zone)'), { ...tcp, ...customDefaults }, now);
  const cells = Object.fromEntries(shown.map((s) => [`${s.metric.source_zone}>${s.metric.destination_zone}`, Number(s.value[1])]));
  assert.deepEqual(Object.keys(cells).sort(), ['zone-a>zone-a', 'zone-a>zone-b', 'zone-b>zone-a']);
  for (const [key, values] of perZones) assert.ok(Math.abs(cells[key]! - median(values)) < 1e-6, `${key}: ${cells[key]} vs median of ${values.join(', ')}`);
});

test('the share of fresh pairs counts the pairs tested within stale_after', async () => {
  const now = Math.floor(Date.now() / 1000);
  const expr = panelExpr('Pairs with a fresh result');
  const [all] = await instant(expr, { ...tcp, ...customDefaults }, now);
  assert.equal(Number(all!.value[1]), 1);
  const [none] = await instant(expr, { ...tcp, stale_after: ['0.001'] }, now);
  assert.equal(Number(none!.value[1]), 0);
});
