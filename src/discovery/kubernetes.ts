import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Server } from '../model/types.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import { selectServers, type PodView } from './select-servers.ts';

// Lists the iperf3 server pods through the Kubernetes API. The field selector keeps the answer small
// on big clusters; readiness and one-per-node are decided in selectServers.

export interface PodLister {
  /** `namespace` undefined: all namespaces. */
  list(namespace: string | undefined, labelSelector: string): Promise<PodView[]>;
}

/** `timeoutMs`: how long one list call may take. */
export function apiPodLister(kc: KubeConfig, timeoutMs = 30_000): PodLister {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    async list(namespace, labelSelector) {
      const fieldSelector = 'status.phase=Running';
      const call =
        namespace === undefined
          ? api.listPodForAllNamespaces({ labelSelector, fieldSelector })
          : api.listNamespacedPod({ namespace, labelSelector, fieldSelector });
      // The generated client takes no signal: race the call against a timer, and cancel the timer.
      const timer = new AbortController();
      const timeout = sleep(timeoutMs, undefined, { signal: timer.signal }).then(() => {
        throw new Error(`no answer within ${timeoutMs / 1000} s`);
      });
      try {
        return (await Promise.race([call, timeout])).items;
      } finally {
        timer.abort();
      }
    },
  };
}

export interface KubernetesDiscoveryOptions {
  namespace?: string;
  selector: string;
  port: number;
  container?: string;
  server?: string;
}

export async function discoverPods(lister: PodLister, options: KubernetesDiscoveryOptions): Promise<Server[]> {
  const { namespace, selector, server } = options;
  const scope = namespace === undefined ? 'in all namespaces' : `in namespace ${namespace}`;
  const target = `${scope} with selector ${selector}${server ? ` at ${server}` : ''}`;
  let pods: PodView[];
  try {
    pods = await lister.list(namespace, selector);
  } catch (error) {
    throw new DiscoveryError('list pods', target, describeApiError(error), { cause: error });
  }
  const servers = selectServers(pods, options.port, options.container);
  if (servers.length === 0) {
    throw new DiscoveryError('list pods', target, `no Running and Ready server pod with an IP (${pods.length} pods matched)`);
  }
  return servers;
}

function describeApiError(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
    const msg = (body as { message?: string } | undefined)?.message;
    return `HTTP ${error.code}${msg ? `: ${msg}` : ''}`;
  }
  // Network failures arrive as "fetch failed" with the reason (ECONNREFUSED, a TLS error) in `cause`.
  const err = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.message ? ` (${[err.cause.code, err.cause.message].filter(Boolean).join(': ')})` : '';
  return ([err.code, err.message].filter(Boolean).join(' ') || String(error)) + cause;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
