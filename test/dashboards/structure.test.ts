// The Grafana dashboard is importable anywhere (a datasource variable, no __inputs), its variables cascade,
// and it has the panels the issue lists, each querying through the datasource variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDashboard, parseLabelValues, queryPanels, variableQuery } from './dashboard.ts';

const d = loadDashboard();
const vars = d.templating.list;
const byName = (n: string) => {
  const v = vars.find((x) => x.name === n);
  assert.ok(v, `variable ${n}`);
  return v;
};

test('the dashboard has a stable uid and no __inputs or __requires (it is provisioned, not imported)', () => {
  assert.equal(d.uid, 'iperf3-monitor');
  assert.equal(d.__inputs, undefined);
  assert.equal(d.__requires, undefined);
  assert.doesNotMatch(JSON.stringify(d), /\$\{DS_/);
});

test('a datasource variable of type prometheus comes first and every panel and query uses it', () => {
  assert.equal(vars[0]?.name, 'datasource');
  assert.equal(vars[0]?.type, 'datasource');
  assert.equal((vars[0] as unknown as { query: string }).query, 'prometheus');
  for (const p of queryPanels(d)) {
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
    for (const t of p.targets ?? []) assert.deepEqual(t.datasource, { type: 'prometheus', uid: '${datasource}' }, `${p.title} ${t.refId}`);
  }
  for (const v of vars.slice(1)) assert.deepEqual(v.datasource, { type: 'prometheus', uid: '${datasource}' }, v.name);
});

test('source_node, destination_node and protocol cascade: each query is filtered by the ones before it', () => {
  assert.deepEqual(vars.map((v) => v.name), ['datasource', 'job', 'source_node', 'destination_node', 'protocol']);
  assert.deepEqual(parseLabelValues(variableQuery(byName('source_node'))), ['iperf_network_bandwidth_mbps{job=~"$job"}', 'source_node']);
  assert.deepEqual(parseLabelValues(variableQuery(byName('destination_node'))), ['iperf_network_bandwidth_mbps{job=~"$job", source_node=~"$source_node"}', 'destination_node']);
  const [sel, label] = parseLabelValues(variableQuery(byName('protocol')));
  assert.equal(label, 'protocol');
  assert.match(sel, /source_node=~"\$source_node", destination_node=~"\$destination_node"/);
  for (const n of ['source_node', 'destination_node']) {
    assert.equal(byName(n).multi, true);
    assert.equal(byName(n).includeAll, true);
    assert.equal(byName(n).allValue, '.*');
  }
});

test('the panels the issue lists are all there', () => {
  const titles = queryPanels(d).map((p) => `${p.type}: ${p.title}`);
  assert.deepEqual(titles, [
    'stat: Average bandwidth',
    'stat: Minimum bandwidth',
    'stat: Maximum jitter',
    'table: Bandwidth matrix (source × destination)',
    'heatmap: Bandwidth distribution over time',
    'timeseries: Bandwidth (selected paths)',
    'timeseries: Jitter (UDP, selected paths)',
    'timeseries: Packet loss (UDP, selected paths)',
    'stat: Age of the last push',
    'stat: Pairs failed in the last run',
    'stat: Servers discovered',
    'timeseries: Cycle duration',
    'stat: Pairs measured within the coverage period',
    'stat: Runs to cover every pair',
    'timeseries: Oldest pair result and the coverage period',
  ]);
});

test('the matrix is a table grouped to a source × destination matrix with colored cells', () => {
  const m = queryPanels(d).find((p) => p.type === 'table');
  assert.ok(m);
  assert.equal(m.targets?.[0]?.format, 'table');
  assert.equal(m.targets?.[0]?.instant, true);
  assert.deepEqual(m.transformations, [{ id: 'groupingToMatrix', options: { columnField: 'destination_node', rowField: 'source_node', valueField: 'Value', emptyValue: 'null' } }]);
  assert.deepEqual((m.fieldConfig?.defaults.custom as { cellOptions: unknown }).cellOptions, { type: 'color-background' });
});

test('path panels filter by the selected variables and the health panels read the run and push metrics', () => {
  const expr = (title: string) => queryPanels(d).find((p) => p.title === title)?.targets?.[0]?.expr ?? '';
  for (const t of ['Average bandwidth', 'Minimum bandwidth', 'Bandwidth (selected paths)']) {
    assert.match(expr(t), /source_node=~"\$source_node", destination_node=~"\$destination_node", protocol=~"\$protocol"/, t);
  }
  assert.match(expr('Packet loss (UDP, selected paths)'), /100 \* iperf_network_lost_packets_total\{.*\} \/ \(iperf_network_packets_total\{.*\} > 0\)/);
  assert.equal(expr('Age of the last push'), 'time() - max(push_time_seconds{job=~"$job"})');
  assert.equal(expr('Pairs failed in the last run'), 'sum(iperf_run_pairs{job=~"$job", outcome="failure"})');
  assert.equal(expr('Cycle duration'), 'iperf_run_duration_seconds{job=~"$job"}');
});

test('panels do not overlap on the 24-column grid', () => {
  const cells = new Set<string>();
  for (const p of d.panels) {
    const { x, y, w, h } = p.gridPos;
    assert.ok(x + w <= 24, `${p.title} fits the width`);
    for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
      const key = `${i},${j}`;
      assert.ok(!cells.has(key), `${p.title} overlaps at ${key}`);
      cells.add(key);
    }
  }
});
