import { nodeHttp } from '../../src/cli/push-transport.ts';
import { readGatewayState } from '../../src/push/previous-results.ts';
import { pushgateway } from '../../src/push/pushgateway.ts';
import { sourceRegistries } from '../../src/metrics/registries.ts';
import type { PairResult } from '../../src/model/types.ts';
import { startPushgateway } from '../support/pushgateway.ts';
import { servers } from './sim-iperf3.ts';

// What a run's Pushgateway round trip costs at scale, on a real prometheus-pushgateway on loopback:
// PUT k full source groups (N−1 TCP pairs each), then read them back the way every run does before
// planning (a streaming pass over /metrics, readGatewayState). Figures for all N groups are
// extrapolated ×N/k.

export interface GatewayRow {
  n: number;
  sampledGroups: number;
  putMsPerGroup: number;
  /** /metrics exposition text per group, bytes; and for all N groups, MB. */
  textBytesPerGroup: number;
  textTotalMB: number;
  /** The streaming read of earlier results for all N groups, ms (extrapolated). */
  readAllMs: number;
}

export async function gatewayCost(n: number, k: number): Promise<GatewayRow> {
  const gw = await startPushgateway();
  try {
    const all = servers(n);
    const results: PairResult[] = [];
    for (const src of all.slice(0, k)) {
      for (const dst of all) {
        if (dst !== src) results.push({ pair: { source: src, destination: dst, protocol: 'tcp' }, status: 'success', attempts: 1, startedAt: 1.7e12, finishedAt: 1.7e12 + 6123, measurement: { bandwidthMbps: 9412.345678, retransmits: 12, rttSeconds: 0.000231 } });
      }
    }
    const regs = sourceRegistries(results);
    let t = performance.now();
    for (const [node, reg] of regs) {
      const res = await fetch(`${gw.url}/metrics/job/iperf3-monitor/source_node/${encodeURIComponent(node)}`, { method: 'PUT', body: await reg.metrics(), headers: { 'content-type': reg.contentType } });
      if (!res.ok) throw new Error(`PUT ${node}: HTTP ${res.status} ${await res.text()}`);
    }
    const putMs = (performance.now() - t) / regs.size;
    t = performance.now();
    const client = pushgateway({ url: gw.url, timeoutMs: 60_000, retries: 0, http: nodeHttp(), sleep: async () => {} });
    const { previous: prev } = await readGatewayState(client.samples(), 'iperf3-monitor');
    const readMs = performance.now() - t;
    if (prev.size !== k * (n - 1)) throw new Error(`read back ${prev.size} pairs, pushed ${k * (n - 1)}`);
    const perGroup = Buffer.byteLength(await (await fetch(`${gw.url}/metrics`)).text()) / k;
    return { n, sampledGroups: k, putMsPerGroup: putMs, textBytesPerGroup: perGroup, textTotalMB: (perGroup * n) / 2 ** 20, readAllMs: (readMs * n) / k };
  } finally {
    await gw.stop();
  }
}
