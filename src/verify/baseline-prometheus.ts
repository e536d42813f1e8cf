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

/** One sample of an instant vector, as the API returns it: [unix seconds, "value"]. */
interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

const OPERATION = 'query the baseline from Prometheus';

export function baselineQuery(job: string, window: string): string {
  const quoted = JSON.stringify(job); // a PromQL double-quoted string escapes like JSON
  const median = `quantile_over_time(0.5, ${PAIR_METRICS.bandwidth.name}{job=${quoted}}[${window}])`;
  return `max by (source_node, destination_node, protocol, network) (${median})`;
}

export async function prometheusBaseline(options: PrometheusBaselineOptions): Promise<Baseline> {
  const target = `${options.url.replace(/\/+$/, '')}/api/v1/query`;
  const { status, text } = await query(target, options);
  const baseline = new Map<string, number>();
  for (const sample of vectorOf(text, status, target)) {
    // Series from before the network label have none: they are the host network's.
    const { source_node: source, destination_node: destination, protocol, network = 'host' } = sample.metric;
    const mbps = Number(sample.value[1]);
    if (source && destination && protocol && Number.isFinite(mbps) && mbps > 0) {
      baseline.set(previousKey(source, destination, protocol, network || 'host'), mbps);
    }
  }
  return baseline;
}

async function query(target: string, options: PrometheusBaselineOptions): Promise<{ status: number; text: string }> {
  const url = `${target}?query=${encodeURIComponent(baselineQuery(options.job, options.window))}`;
  try {
    const headers = { accept: 'application/json', ...options.headers };
    const response = await options.http(url, { method: 'GET', idleTimeoutMs: options.timeoutMs, headers });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    throw new BaselineError(OPERATION, target, code ? `${code} (${message})` : message, { cause: error });
  }
}

/** The answer's samples; anything but a successful vector answer is a BaselineError saying what came back. */
function vectorOf(text: string, status: number, target: string): VectorSample[] {
  const fail = (reason: string) => new BaselineError(OPERATION, target, reason);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw fail(`HTTP ${status}, not a Prometheus API answer: ${text.trim().slice(0, 200)}`);
  }
  const doc = (typeof answer === 'object' && answer !== null ? answer : {}) as {
    status?: unknown;
    error?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  };
  if (doc.status !== 'success') throw fail(`HTTP ${status}: ${typeof doc.error === 'string' ? doc.error : 'no error message'}`);
  const resultType = doc.data?.resultType;
  const result = doc.data?.result;
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw fail(`expected a vector, got ${typeof resultType === 'string' ? resultType : 'nothing'}`);
  }
  return result.filter(isVectorSample);
}

function isVectorSample(item: unknown): item is VectorSample {
  const sample = item as Partial<VectorSample> | null;
  return typeof sample?.metric === 'object' && sample.metric !== null && Array.isArray(sample.value) && sample.value.length === 2;
}
