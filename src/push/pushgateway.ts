import { PushError } from '../errors/push-error.ts';
import { groupPath } from './grouping-key.ts';
import { lines, parseSampleLine, type Sample } from './exposition.ts';
import type { Http, HttpRequest, HttpResponse } from './http.ts';

// A small Pushgateway client. PUT replaces a whole group at once, so a group is never half-written:
// it holds either the previous run or this one. Transient failures (network, timeout, 5xx) are
// retried a bounded number of times; a 4xx is the gateway rejecting the push and is not retried.
// HTTP and sleep are passed in.

export interface PushgatewayOptions {
  url: string;
  timeoutMs: number;
  retries: number;
  headers?: Record<string, string>;
  http: Http;
  sleep: (ms: number) => Promise<void>;
}

export type GroupLabels = ReadonlyArray<readonly [string, string]>;

export interface Pushgateway {
  put(group: GroupLabels, body: string): Promise<void>;
  delete(group: GroupLabels): Promise<void>;
  /** Every sample the gateway serves on /metrics, streamed. */
  samples(): AsyncGenerator<Sample>;
}

export function pushgateway(options: PushgatewayOptions): Pushgateway {
  const base = options.url.replace(/\/+$/, '');
  const describe = (group: GroupLabels) => `${base}${groupPath(group)}`;

  // The retry loop stays hand-written rather than p-retry: a 4xx must end it at once with the gateway's
  // answer, the last error must be worded for the log ("after N attempts"), and `sleep` is injected so
  // that tests do not wait.
  async function request(operation: string, target: string, url: string, init: Omit<HttpRequest, 'idleTimeoutMs'>): Promise<HttpResponse> {
    let last = '';
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      if (attempt > 0) await options.sleep(Math.min(500 * 2 ** (attempt - 1), 4000));
      let res: HttpResponse;
      try {
        res = await options.http(url, { ...init, headers: { ...options.headers, ...init.headers }, idleTimeoutMs: options.timeoutMs });
      } catch (error) {
        const err = error as Error & { code?: string };
        last = err.name === 'TimeoutError' ? err.message : err.code ? `${err.code} (${err.message})` : err.message;
        continue;
      }
      if (res.ok) return res;
      const text = (await res.text().catch(() => '')).trim().slice(0, 500);
      last = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
      if (res.status < 500 && res.status !== 429) throw new PushError(operation, target, last);
    }
    // With no retries allowed there is nothing to count.
    throw new PushError(operation, target, options.retries === 0 ? last : `${last} (after ${options.retries + 1} attempts)`);
  }

  return {
    // Answers are read to the end so that their connections are released.
    async put(group, body) {
      const res = await request('push (PUT)', describe(group), describe(group), {
        method: 'PUT',
        body,
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      });
      await res.text();
    },
    async delete(group) {
      await (await request('delete group', describe(group), describe(group), { method: 'DELETE' })).text();
    },
    async *samples() {
      const res = await request('read metrics', base, `${base}/metrics`, { method: 'GET' });
      for await (const line of lines(res.body)) {
        const sample = parseSampleLine(line);
        if (sample) yield sample;
      }
    },
  };
}
