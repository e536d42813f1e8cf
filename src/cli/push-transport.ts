import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { PushConfig } from '../config/run-config.ts';
import type { Http } from '../push/http.ts';
import { ConfigError } from '../errors/config-error.ts';

// How the runner reaches the Pushgateway: node:http(s), with an idle timeout (a slow but moving
// /metrics download is fine, a stalled one is not), basic auth or a bearer token as headers, and a
// private CA. Not fetch: Node's fetch loads undici and compiles its WebAssembly HTTP parser, which
// costs a short-lived runner ~30 MB of memory for a handful of requests.

export function pushHeaders(p: PushConfig): Record<string, string> {
  if (p.username !== undefined) {
    return { authorization: `Basic ${Buffer.from(`${p.username}:${p.password ?? ''}`).toString('base64')}` };
  }
  if (p.token !== undefined) return { authorization: `Bearer ${p.token}` };
  return {};
}

/** `caFile`: PEM bundle that signs the gateway's certificate (https only). */
export function nodeHttp(caFile?: string): Http {
  let agent: https.Agent | undefined;
  if (caFile !== undefined) {
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`--pushgateway-ca-file ${caFile}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'pushgateway-ca-file');
    }
    agent = new https.Agent({ ca });
  }
  return (url, r) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const secure = u.protocol === 'https:';
      const headers: Record<string, string> = { ...r.headers };
      if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
      const req = (secure ? https : http).request(u, { method: r.method, headers, ...(secure && agent ? { agent } : {}) }, (res) => {
        const status = res.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          body: res,
          text: async () => {
            let s = '';
            res.setEncoding('utf8');
            for await (const chunk of res) s += chunk;
            return s;
          },
        });
      });
      req.setTimeout(r.idleTimeoutMs, () => {
        const e = new Error(`no answer within ${r.idleTimeoutMs / 1000} s`);
        e.name = 'TimeoutError';
        req.destroy(e);
      });
      req.on('error', reject);
      req.end(r.body);
    });
}
