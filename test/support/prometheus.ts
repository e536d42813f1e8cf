// A real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port with its own config and TSDB in a
// temp dir, owned by the test process: scrapes the given targets with honor_labels (as a Pushgateway must
// be scraped), evaluates the given rule files and sends alerts to the given Alertmanager.
import { startService } from './service-process.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.ts';

export interface PrometheusOptions {
  /** host:port of each scrape target (job "pushgateway", honor_labels: true). */
  targets: string[];
  ruleFiles: string[];
  /** host:port of the Alertmanager. */
  alertmanager?: string;
  /** Scrape and rule evaluation interval, seconds. */
  intervalS?: number;
  /** More command-line flags (e.g. --web.enable-remote-write-receiver). */
  flags?: string[];
}

export interface RealPrometheus {
  url: string;
  /** Instant query; the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The loaded rules, as /api/v1/rules lists them. */
  rules(): Promise<{ name: string; query: string; duration: number; labels?: Record<string, string> }[]>;
  log(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(o: PrometheusOptions): Promise<RealPrometheus> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-prometheus-'));
  const interval = `${o.intervalS ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: o.ruleFiles,
    ...(o.alertmanager ? { alerting: { alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [o.alertmanager] }] }] } } : {}),
    scrape_configs: [{ job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: o.targets }] }],
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const service = await startService('Prometheus', 'prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...(o.flags ?? [])], url, dir);
  const stop = service.stop;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const doc = (await res.json()) as { status: string; data: T; error?: string };
    if (doc.status !== 'success') throw new Error(`Prometheus ${path}: ${doc.error ?? res.status}`);
    return doc.data;
  };
  return {
    url,
    async query(expr) {
      return (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
    },
    async rules() {
      const data = await api<{ groups: { rules: { name: string; query: string; duration: number; labels?: Record<string, string> }[] }[] }>('/api/v1/rules');
      return data.groups.flatMap((g) => g.rules);
    },
    log: service.log,
    stop,
  };
}
