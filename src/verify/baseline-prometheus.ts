import type { Http } from '../push/http.ts';
import { previousKey } from '../push/previous-results.ts';
import { PAIR_METRICS } from '../metrics/names.ts';
import { BaselineError } from '../errors/baseline-error.ts';
import type { Baseline } from './floors.ts';

// The baseline from Prometheus' HTTP API: each pair's median bandwidth over a window (the same median
// the Iperf3PathBandwidthDegraded alert compares with), so one bad earlier run does not move it. One
// instant query; HTTP is passed in.

export interface PrometheusBaselineOptions {
  url: string;
  job: string;
  /** PromQL range, e.g. "1d", "6h". */
  window: string;
  timeoutMs: number;
  http: Http;
  headers?: Record<string, string>;
}

export function baselineQuery(job: string, window: string): string {
  const quoted = JSON.stringify(job); // a PromQL double-quoted string escapes like JSON
  return `max by (source_node, destination_node, protocol) (quantile_over_time(0.5, ${PAIR_METRICS.bandwidth.name}{job=${quoted}}[${window}]))`;
}

export async function prometheusBaseline(o: PrometheusBaselineOptions): Promise<Baseline> {
  const base = o.url.replace(/\/+$/, '');
  const query = baselineQuery(o.job, o.window);
  const target = `${base}/api/v1/query`;
  const fail = (reason: string, cause?: unknown): never => {
    throw new BaselineError('query the baseline from Prometheus', target, reason, cause ? { cause } : undefined);
  };
  let text = '';
  let status = 0;
  try {
    const res = await o.http(`${target}?query=${encodeURIComponent(query)}`, {
      method: 'GET',
      idleTimeoutMs: o.timeoutMs,
      headers: { accept: 'application/json', ...o.headers },
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    const err = e as Error & { code?: string };
    fail(err.code ? `${err.code} (${err.message})` : err.message, e);
  }
  let doc: {
    status?: string;
    error?: string;
    data?: { resultType?: string; result?: { metric: Record<string, string>; value: [number, string] }[] };
  };
  try {
    doc = JSON.parse(text);
  } catch {
    return fail(`HTTP ${status}, not a Prometheus API answer: ${text.trim().slice(0, 200)}`);
  }
  if (doc.status !== 'success') fail(`HTTP ${status}: ${doc.error ?? 'no error message'}`);
  if (doc.data?.resultType !== 'vector' || !Array.isArray(doc.data.result))
    fail(`expected a vector, got ${doc.data?.resultType ?? 'nothing'}`);
  const out = new Map<string, number>();
  for (const s of doc.data!.result!) {
    const { source_node: src, destination_node: dst, protocol } = s.metric;
    const v = Number(s.value?.[1]);
    if (src && dst && protocol && Number.isFinite(v) && v > 0) out.set(previousKey(src, dst, protocol), v);
  }
  return out;
}
