// Reads dashboards/iperf3-monitor.json and substitutes Grafana template variables the way Grafana does
// for Prometheus (multi-value "All" becomes the allValue regex), so tests can run the real queries.
import { readFileSync } from 'node:fs';

export interface Target { expr: string; refId: string; instant?: boolean; format?: string; datasource?: unknown }
export interface Panel { id: number; type: string; title: string; datasource?: unknown; targets?: Target[]; transformations?: { id: string; options: Record<string, unknown> }[]; fieldConfig?: { defaults: Record<string, unknown> }; options?: Record<string, unknown>; gridPos: { x: number; y: number; w: number; h: number } }
export interface Variable { name: string; type: string; query: unknown; definition?: string; multi?: boolean; includeAll?: boolean; allValue?: string | null; datasource?: unknown }
export interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] }; __inputs?: unknown; [k: string]: unknown }

export const dashboardFile = 'dashboards/iperf3-monitor.json';
export const loadDashboard = (): Dashboard => JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;

/** The PromQL of a query variable (`label_values(...)` form). */
export function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
}

/** `label_values(selector, label)` -> [selector, label]. */
export function parseLabelValues(q: string): [string, string] {
  const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(q.trim());
  if (!m) throw new Error(`not a label_values() query: ${q}`);
  return [m[1]!, m[2]!];
}

/** Replaces $name and ${name} with the selected values (regex-joined when several). */
export function substitute(text: string, selected: Record<string, string[]>): string {
  return text.replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, (whole, name: string) => {
    const values = selected[name];
    if (!values) return whole;
    return values.length === 1 ? values[0]! : `(${values.join('|')})`;
  });
}

/** Every query panel, rows left out. */
export const queryPanels = (d: Dashboard): Panel[] => d.panels.filter((p) => p.type !== 'row');
