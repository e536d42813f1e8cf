// Every dashboard variable and panel query returns data from a real Prometheus after a real run: a
// 3-node network-namespace lab (src/lab), `iperf3-monitor run` over it with TCP and UDP pushing to a real
// Pushgateway, a real Prometheus scraping that with honor_labels. Variables are substituted as Grafana
// does, for "All" and for a single selected path, and panels are queried for each protocol.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { startPrometheus, type RealPrometheus } from '../support/prometheus.ts';
import { waitFor } from '../support/wait-for.ts';
import { loadDashboard, parseLabelValues, queryPanels, substitute, variableQuery, type Target } from './dashboard.ts';

const LAB = 'dash';
let lab: LabState | undefined;
let gw: RealPushgateway | undefined;
let prom: RealPrometheus | undefined;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, nodes: 3, nicMbit: 200, slow: ['n1>n2=50'], port: 5201, pushgateway: false });
  gw = await startPushgateway();
  prom = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [], intervalS: 1 });
  const r = await runCli(
    ['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--protocols', 'tcp,udp', '--duration', '1', '--omit', '0',
      '--udp-bitrate', '20M', '--run-interval', '300', '--pushgateway', gw.url, '--output', 'none'],
    {}, 120_000,
  );
  assert.equal(r.code, 0, r.stderr);
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

/** Resolves the variables in order, picking `pick(name, values)` for each, as a user would in Grafana. */
async function resolve(pick: (name: string, values: string[]) => string[]): Promise<Record<string, string[]>> {
  const selected: Record<string, string[]> = {};
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
