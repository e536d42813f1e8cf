import { readFileSync } from 'node:fs';
import type { PushConfig } from '../config/run-config.ts';
import { ConfigError } from '../errors/config-error.ts';

// How the runner reaches a secured Pushgateway: basic auth or a bearer token as headers, and a
// private CA through an undici Agent (Node's built-in fetch has no per-request CA option).

export function pushHeaders(p: PushConfig): Record<string, string> {
  if (p.username !== undefined) {
    return { authorization: `Basic ${Buffer.from(`${p.username}:${p.password ?? ''}`).toString('base64')}` };
  }
  if (p.token !== undefined) return { authorization: `Bearer ${p.token}` };
  return {};
}

export async function pushFetch(p: PushConfig): Promise<typeof globalThis.fetch> {
  if (p.caFile === undefined) return globalThis.fetch;
  let ca: string;
  try {
    ca = readFileSync(p.caFile, 'utf8');
  } catch (e) {
    throw new ConfigError(`--pushgateway-ca-file ${p.caFile}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'pushgateway-ca-file');
  }
  const { Agent, fetch: undiciFetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca } });
  return ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as typeof globalThis.fetch;
}
