import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { PushConfig } from '../config/run-config.ts';
import type { Http } from '../push/http.ts';
import { ConfigError } from '../errors/config-error.ts';
import { pushgateway, type Pushgateway } from '../push/pushgateway.ts';
import { systemClock } from '../schedule/clock.ts';

// How the runner reaches the Pushgateway: node:http(s), with an idle timeout (a slow but moving
// /metrics download is fine, a stalled one is not), basic auth or a bearer token as headers, and a
// private CA. Not fetch: Node's fetch loads undici and compiles its WebAssembly HTTP parser, which
// costs a short-lived runner ~30 MB of memory for a handful of requests.

/** The Pushgateway client for --pushgateway and its options, on node:http(s) and the system clock. */
export function pushgatewayFor(push: PushConfig): Pushgateway {
  return pushgateway({
    url: push.url,
    timeoutMs: push.timeoutMs,
    retries: push.retries,
    headers: pushHeaders(push),
    http: nodeHttp(push.caFile),
    sleep: (ms) => systemClock.sleep(ms),
  });
}

export function pushHeaders(push: PushConfig): Record<string, string> {
  if (push.username !== undefined) {
    return { authorization: `Basic ${Buffer.from(`${push.username}:${push.password ?? ''}`).toString('base64')}` };
  }
  if (push.token !== undefined) return { authorization: `Bearer ${push.token}` };
  return {};
}

/** `caFile`: PEM bundle that signs the gateway's certificate (https only). */
export function nodeHttp(caFile?: string): Http {
  let agent: https.Agent | undefined;
  if (caFile !== undefined) {
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `--pushgateway-ca-file ${caFile}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        'pushgateway-ca-file',
      );
    }
    agent = new https.Agent({ ca });
  }
  return (url, request) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      const req = (secure ? https : http).request(
        target,
        { method: request.method, headers, ...(secure && agent ? { agent } : {}) },
        (res) => {
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            body: res,
            text: async () => {
              let text = '';
              res.setEncoding('utf8');
              for await (const chunk of res) text += chunk;
              return text;
            },
          });
        },
      );
      req.setTimeout(request.idleTimeoutMs, () => {
        const error = new Error(`no answer within ${request.idleTimeoutMs / 1000} s`);
        error.name = 'TimeoutError';
        req.destroy(error);
      });
      req.on('error', reject);
      req.end(request.body);
    });
}
