// FAKE ZONES: this branch's runner cannot label series with zones outside Kubernetes (the zone-aware
// runner reads topology.kubernetes.io/zone from Nodes), so this re-pushes each source group of a real
// run with source_zone/destination_zone added to its per-pair series — the same groups and the measured
// values, as that runner pushes them. Everything else (Pushgateway, Prometheus, the values) is real.

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;
/** Grouping labels the Pushgateway adds back from the group's key (and instance=""). */
const KEY_LABELS = new Set(['job', 'instance', 'source_node']);

interface Series {
  name: string;
  labels: Record<string, string>;
  value: string;
}

function parseLine(line: string): Series | undefined {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!match) return undefined;
  const labels: Record<string, string> = {};
  for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name!] = value!;
  return { name: match[1]!, labels, value: match[3]! };
}

const render = ({ name, labels, value }: Series) =>
  `${name}{${Object.entries(labels).map(([label, text]) => `${label}="${text}"`).join(',')}} ${value}`;

/** Re-pushes every source group of `job` with zone labels on its per-pair series; returns the groups rewritten. */
export async function addZones(gatewayUrl: string, job: string, zones: Record<string, string>): Promise<string[]> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const meta = new Map<string, string[]>();
  const groups = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) /.exec(line);
    if (comment) meta.set(comment[2]!, [...(meta.get(comment[2]!) ?? []), line]);
    const series = parseLine(line);
    if (!series || series.labels.job !== job || !series.labels.source_node || series.name.startsWith('push_')) continue;
    const source = series.labels.source_node;
    const labels = Object.fromEntries(Object.entries(series.labels).filter(([label]) => !KEY_LABELS.has(label)));
    if (labels.destination_node !== undefined) Object.assign(labels, { source_zone: zones[source]!, destination_zone: zones[labels.destination_node]! });
    groups.set(source, [...(groups.get(source) ?? []), render({ ...series, labels })]);
  }
  for (const [source, lines] of groups) {
    const nameOf = (line: string) => line.slice(0, line.indexOf('{'));
    const names = [...new Set(lines.map(nameOf))];
    const body = names.flatMap((name) => [...(meta.get(name) ?? []), ...lines.filter((line) => nameOf(line) === name)]).join('\n') + '\n';
    const res = await fetch(`${gatewayUrl}/metrics/job/${job}/source_node/${source}`, { method: 'PUT', body });
    if (!res.ok) throw new Error(`PUT group ${source}: HTTP ${res.status} ${await res.text()}`);
  }
  return [...groups.keys()];
}
