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

test('the shipped dashboard is read-only in Grafana (edits belong in dashboards/, not in a provisioned copy)', () => {
  assert.equal((d as unknown as { editable: unknown }).editable, false);
});

test('a datasource variable of type prometheus comes first and every panel and query uses it', () => {
  assert.equal(vars[0]?.name, 'datasource');
  assert.equal(vars[0]?.type, 'datasource');
  assert.equal((vars[0] as unknown as { query: string }).query, 'prometheus');
  for (const p of queryPanels(d)) {
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
    for (const t of p.targets ?? []) assert.deepEqual(t.datasource, { type: 'prometheus', uid: '${datasource}' }, `${p.title} ${t.refId}`);
  }
  for (const v of vars.filter((x) => x.type === 'query')) assert.deepEqual(v.datasource, { type: 'prometheus', uid: '${datasource}' }, v.name);
});

test('source_node, destination_node, protocol and network cascade: each query is filtered by the ones before it', () => {
  assert.deepEqual(vars.map((v) => v.name), ['datasource', 'job', 'source_node', 'destination_node', 'protocol', 'network', 'stale_after']);
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
    'bargauge: Worst nodes out (median Mbit/s sent)',
    'bargauge: Worst nodes in (median Mbit/s received)',
    'table: Cross-zone matrix (median Mbit/s, source zone × destination zone)',
    'table: Result age per pair (source × destination)',
    'stat: Pairs with a fresh result',
    'table: CNI overhead: pod/host TCP bandwidth ratio (source × destination)',
    'bargauge: Worst pairs: pod/host TCP bandwidth ratio',
  ]);
});

test('stale_after is a single-choice duration in seconds, 1 h by default (the runner\'s --max-result-age default)', () => {
  const v = byName('stale_after') as unknown as { type: string; multi: boolean; current: { value: string }; options: { value: string }[] };
  assert.equal(v.type, 'custom');
  assert.equal(v.multi, false);
  assert.equal(v.current.value, '3600');
  assert.deepEqual(v.options.map((o) => o.value), ['900', '1800', '3600', '7200', '21600', '86400']);
});

test('the matrix greys a stale cell: older than $stale_after it reads -1, mapped to a grey "stale"', () => {
  const m = queryPanels(d).find((p) => p.type === 'table');
  const expr = m?.targets?.[0]?.expr ?? '';
  assert.match(expr, /and on\(job, source_node, destination_node, protocol, network\) \(time\(\) - iperf_test_timestamp_seconds\{.*\} <= \$stale_after\)/);
  assert.match(expr, / or on\(job, source_node, destination_node, protocol, network\) \(0 \* iperf_network_bandwidth_mbps\{.*\} - 1\)$/);
  assert.deepEqual(m?.fieldConfig?.defaults.mappings, [{ type: 'range', options: { from: -1, to: -1, result: { text: 'stale', color: '#8e8e8e', index: 0 } } }]);
});

test('the node and zone panels leave stale results out; the zone matrix is grouped by zone labels', () => {
  const panel = (title: string) => queryPanels(d).find((p) => p.title === title);
  for (const title of ['Worst nodes out (median Mbit/s sent)', 'Worst nodes in (median Mbit/s received)', 'Cross-zone matrix (median Mbit/s, source zone × destination zone)']) {
    assert.match(panel(title)?.targets?.[0]?.expr ?? '', /<= \$stale_after\)/, title);
  }
  const zones = panel('Cross-zone matrix (median Mbit/s, source zone × destination zone)');
  assert.deepEqual(zones?.transformations, [{ id: 'groupingToMatrix', options: { columnField: 'destination_zone', rowField: 'source_zone', valueField: 'Value', emptyValue: 'null' } }]);
  assert.match(zones?.targets?.[0]?.expr ?? '', /source_zone!="", destination_zone!=""/);
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

test('network is one choice (host by default), every per-pair selector filters by it and every join keeps it', () => {
  const v = byName('network') as unknown as { multi: boolean; includeAll: boolean; current: { value: string } };
  assert.deepEqual(parseLabelValues(variableQuery(byName('network'))), [
    'iperf_test_success{job=~"$job", source_node=~"$source_node", destination_node=~"$destination_node"}',
    'network',
  ]);
  assert.equal(v.multi, false);
  assert.equal(v.includeAll, false);
  assert.equal(v.current.value, 'host');
  const cni = (p: { title: string }) => p.title.includes('pod/host');
  for (const p of queryPanels(d)) {
    for (const t of p.targets ?? []) {
      for (const m of t.expr.matchAll(/(iperf_network_\w+|iperf_test_\w+)\{([^}]*)\}/g)) {
        assert.match(m[2]!, cni(p) ? /network="(pod|host)"/ : /network=~"\$network"/, `${p.title}: ${m[0]}`);
      }
      for (const on of t.expr.matchAll(/\bon\(([^)]*)\)/g)) assert.match(on[1]!, /\bnetwork\b/, `${p.title}: on(${on[1]})`);
    }
  }
});

test('the CNI overhead panels divide fresh pod-network TCP results by the same pair\'s host-network ones', () => {
  const ratio = [
    '(iperf_network_bandwidth_mbps{job=~"$job", protocol="tcp", network="pod"} and on(job, source_node, destination_node, protocol, network) (time() - iperf_test_timestamp_seconds{job=~"$job", protocol="tcp", network="pod"} <= $stale_after))',
    '/ ignoring(network)',
    '(iperf_network_bandwidth_mbps{job=~"$job", protocol="tcp", network="host"} and on(job, source_node, destination_node, protocol, network) (time() - iperf_test_timestamp_seconds{job=~"$job", protocol="tcp", network="host"} <= $stale_after))',
  ].join(' ');
  const panel = (title: string) => queryPanels(d).find((p) => p.title === title)!;
  const matrix = panel('CNI overhead: pod/host TCP bandwidth ratio (source × destination)');
  assert.equal(matrix.targets?.[0]?.expr, ratio);
  assert.deepEqual(matrix.transformations, [{ id: 'groupingToMatrix', options: { columnField: 'destination_node', rowField: 'source_node', valueField: 'Value', emptyValue: 'null' } }]);
  assert.equal(matrix.fieldConfig?.defaults.unit, 'percentunit');
  assert.equal(panel('Worst pairs: pod/host TCP bandwidth ratio').targets?.[0]?.expr, `sort(bottomk(10, ${ratio}))`);
  assert.equal(d.panels.find((p) => p.type === 'row' && p.gridPos.y === 48)?.title, 'Pod network vs host network (CNI overhead)');
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
