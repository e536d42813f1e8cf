import { PushError } from '../errors/push-error.ts';

// A PromQL instant query against a Prometheus-compatible HTTP API (Prometheus, Thanos Query, Mimir,
// VictoriaMetrics): POST /api/v1/query, so that long matchers do not hit URL limits. `fetch` is passed
// in; a failure is a PushError naming the query API and its answer.

export interface QueryRow {
  metric: Record<string, string>;
  /** Instant vector: [eval time, value]. */
  value?: [number, string];
  /** Range vector (a matrix): every sample, [time, value]. */
  values?: [number, string][];
}

export type PromQuery = (expr: string) => Promise<QueryRow[]>;

export function prometheusQuery(fetch: typeof globalThis.fetch, baseUrl: string, timeoutMs: number): PromQuery {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query`;
  return async (expr) => {
    let answer: Response;
    try {
      answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PushError('query', url, (error as Error).message, { cause: error });
    }
    const text = await answer.text();
    let doc: { status?: string; error?: string; data?: { result?: QueryRow[] } };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      throw new PushError('query', url, `HTTP ${answer.status}: not JSON: ${text.trim().slice(0, 200)}`);
    }
    if (!answer.ok || doc.status !== 'success') {
      throw new PushError('query', url, `HTTP ${answer.status}: ${(doc.error ?? text).trim().slice(0, 200)}`);
    }
    return doc.data?.result ?? [];
  };
}
