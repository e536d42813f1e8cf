// Test helper for the chart on the real-node rig (rig.ts): the release's pods, Jobs and their logs, the
// bundled Pushgateway's samples. Used by the real-node files that install the chart next to e2e.test.ts.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdDir, waitFor, type Rig } from './rig.ts';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any };

export interface Sample {
  labels: Record<string, string>;
  source: string;
  destination: string;
  protocol: string;
  value: number;
}

/** The prometheus-operator CRDs, so that the chart's optional objects can be installed. */
export function installCrds(rig: Rig): void {
  const crds = crdDir();
  for (const f of readdirSync(crds).filter((name) => name.endsWith('.yaml'))) rig.kubectl(['apply', '--server-side', '-f', join(crds, f)]);
  rig.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
}

export function pods(rig: Rig, namespace: string, selector: string): any[] {
  return rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', namespace, '-l', selector]).items;
}

/** The objects of an installed release (`helm get manifest`). */
export function manifestOf(rig: Rig, release: string, namespace: string): K8sObject[] {
  const text = rig.helm(['get', 'manifest', release, '-n', namespace]).stdout;
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject)
    .filter(Boolean);
}

export function oneOf(objs: K8sObject[], kind: string, component?: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind && (!component || o.metadata.labels?.['app.kubernetes.io/component'] === component));
  assert.equal(found.length, 1, `exactly one ${kind}${component ? ` (${component})` : ''} in the release manifest`);
  return found[0]!;
}

/** The bundled Pushgateway by its pod IP (this host routes every node's pod CIDR). */
export function pushgatewayUrl(rig: Rig, namespace: string): string {
  const pod = pods(rig, namespace, 'app.kubernetes.io/component=pushgateway').find((p) => p.status.podIP);
  assert.ok(pod, 'a Pushgateway pod with an IP');
  return `http://${pod.status.podIP}:9091`;
}

/** Samples of one metric in the Pushgateway, for one job. */
export async function samples(url: string, job: string, metric = 'iperf_network_bandwidth_mbps'): Promise<Sample[]> {
  const res = await fetch(`${url}/api/v1/metrics`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: any[] };
  return body.data
    .filter((group) => group.labels.job === job)
    .flatMap((group) => (group[metric]?.metrics ?? []) as { labels: Record<string, string>; value: string }[])
    .map((m) => ({
      labels: m.labels,
      source: m.labels.source_node!,
      destination: m.labels.destination_node!,
      protocol: m.labels.protocol!,
      value: Number(m.value),
    }));
}

/** Waits for a Job to finish; its condition type (Complete / Failed). */
export function jobDone(rig: Rig, name: string, namespace: string, seconds = 240): Promise<string> {
  return waitFor(
    `job ${name} finished`,
    () => {
      const job = rig.kubectlJson<any>(['get', 'job', name, '-n', namespace]);
      const done = (job.status.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      return done?.type as string | undefined;
    },
    seconds,
  );
}

export function jobLog(rig: Rig, name: string, namespace: string): string {
  return rig.kubectlRaw(['logs', '-n', namespace, `job/${name}`]).stdout;
}

/** Pods and warning events of a namespace, for failure messages. */
export function diagnose(rig: Rig, namespace: string): string {
  return [
    rig.kubectlRaw(['get', 'pods', '-n', namespace, '-o', 'wide']).stdout,
    rig.kubectlRaw(['get', 'events', '-n', namespace, '--field-selector', 'type!=Normal']).stdout,
  ].join('\n');
}

/** Every ordered pair of distinct nodes, as `a>b`, sorted. */
export function allPairs(nodes: readonly string[]): string[] {
  return nodes.flatMap((src) => nodes.filter((dst) => dst !== src).map((dst) => `${src}>${dst}`)).sort();
}

/** A pod's log once it has finished (Succeeded or Failed); its phase and log. */
export async function podResult(rig: Rig, name: string, namespace: string, seconds = 90): Promise<{ phase: string; log: string }> {
  const phase = await waitFor(
    `pod ${name} finished`,
    () => {
      const p = rig.kubectlJson<any>(['get', 'pod', name, '-n', namespace]).status.phase as string;
      return p === 'Succeeded' || p === 'Failed' ? p : undefined;
    },
    seconds,
  );
  return { phase, log: rig.kubectlRaw(['logs', name, '-n', namespace]).stdout };
}
