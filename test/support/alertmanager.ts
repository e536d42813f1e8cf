// A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) on a free loopback port with its own
// config and storage in a temp dir, clustering off, owned by the test process. Alerts with the given
// routing label go to a webhook receiver (when a URL is given); everything else to a receiver that drops.
// GET /api/v2/alerts lists the active alerts, including silenced and inhibited ones (see status).
import { startService } from './service-process.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.ts';

export interface AlertmanagerOptions {
  /** Route alerts matching this `label="value"` matcher to the webhook. */
  webhookMatcher?: string;
  webhookUrl?: string;
  /** Alertmanager `inhibit_rules`, as written in its config. */
  inhibitRules?: Record<string, unknown>[];
  /** The route's `group_wait` (default 1s). */
  groupWait?: string;
}

/** An alert as GET /api/v2/alerts lists it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
  receivers: { name: string }[];
}

export interface RealAlertmanager {
  url: string;
  /** host:port, for Prometheus' alerting config. */
  address: string;
  /** The active (not resolved, not expired) alerts. */
  alerts(): Promise<AmAlert[]>;
  log(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager(o: AlertmanagerOptions = {}): Promise<RealAlertmanager> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-alertmanager-'));
  const timing = { group_wait: o.groupWait ?? '1s', group_interval: '1s', repeat_interval: '1h' };
  const config = {
    route: {
      receiver: 'drop',
      group_by: ['alertname'],
      ...timing,
      ...(o.webhookUrl ? { routes: [{ receiver: 'webhook', matchers: [o.webhookMatcher ?? 'team="network"'] }] } : {}),
    },
    receivers: [{ name: 'drop' }, ...(o.webhookUrl ? [{ name: 'webhook', webhook_configs: [{ url: o.webhookUrl, send_resolved: true }] }] : [])],
    ...(o.inhibitRules ? { inhibit_rules: o.inhibitRules } : {}),
  };
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  const service = await startService('Alertmanager', 'prometheus-alertmanager', [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=${address}`, '--cluster.listen-address='], url, dir);
  const stop = service.stop;
  return {
    url,
    address,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts?active=true&silenced=true&inhibited=true`);
      if (!res.ok) throw new Error(`Alertmanager /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    log: service.log,
    stop,
  };
}
