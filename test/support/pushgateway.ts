// A real Pushgateway (Debian's prometheus-pushgateway) on a free loopback port, owned by the test
// process, with the lab's command line (see pushgatewayArgs) plus the admin API for wipe().
import { startService } from './service-process.ts';
import { freePort } from './free-port.ts';
import { pushgatewayArgs } from '../../src/lab/pushgateway.ts';

export interface RealPushgateway {
  url: string;
  /** The grouping labels of every group (the gateway's own /api/v1/metrics). */
  groups(): Promise<Record<string, string>[]>;
  /** The exposition text of /metrics. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<RealPushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService('Pushgateway', 'prometheus-pushgateway', [...pushgatewayArgs(port), '--web.enable-admin-api'], url);
  return {
    url,
    async groups() {
      const doc = (await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: { labels: Record<string, string> }[] };
      return doc.data.map((g) => g.labels);
    },
    async metrics() {
      return (await fetch(`${url}/metrics`)).text();
    },
    stop: service.stop,
  };
}

/** Removes every group the gateway holds, so each test starts from an empty gateway. */
export async function wipe(url: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/admin/wipe`, { method: 'PUT' });
  if (!res.ok) throw new Error(`wipe ${url}: HTTP ${res.status}`);
}
