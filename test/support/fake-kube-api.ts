// FAKE Kubernetes API pieces (no control plane runs in this helper's tests; the real one is test/k8s):
// the wire shapes the real API server answers with (PodList, Status) and a kubeconfig pointing at a
// local HTTP server, so the real @kubernetes/client-node does the talking.
import { writeFileSync } from 'node:fs';

export interface PodSpec {
  name: string;
  node?: string;
  ip?: string;
  namespace?: string;
  phase?: string;
  ready?: boolean;
  created?: string;
  deleting?: boolean;
  containers?: string[];
  /** false: a pod-network server (the chart's server-pod DaemonSet); default true. */
  hostNetwork?: boolean;
}

/** A v1 Pod as the API serves it (only the fields discovery reads, plus a few it must ignore). */
export function pod(p: PodSpec): object {
  const ns = p.namespace ?? 'net';
  return {
    metadata: {
      name: p.name,
      namespace: ns,
      uid: `uid-${p.name}`,
      creationTimestamp: p.created ?? '2026-11-26T10:00:00Z',
      ...(p.deleting ? { deletionTimestamp: '2026-11-26T12:00:00Z' } : {}),
      labels: {
        'app.kubernetes.io/name': 'iperf3-monitor',
        'app.kubernetes.io/component': p.hostNetwork === false ? 'server-pod' : 'server',
      },
    },
    spec: {
      ...(p.node ? { nodeName: p.node } : {}),
      hostNetwork: p.hostNetwork ?? true,
      containers: (p.containers ?? ['iperf3']).map((name) => ({ name, image: 'iperf3:3.12', args: ['-s', '-p', '5201'] })),
    },
    status: {
      phase: p.phase ?? 'Running',
      ...(p.ip ? { podIP: p.ip, podIPs: [{ ip: p.ip }], hostIP: p.hostNetwork === false ? '192.0.2.1' : p.ip } : {}),
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: p.ready === false ? 'False' : 'True' },
        { type: 'ContainersReady', status: p.ready === false ? 'False' : 'True' },
      ],
    },
  };
}

export function podList(items: object[]): string {
  return JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '12345' }, items });
}

/** A metav1.Status failure, as the API server sends with 4xx/5xx. */
export function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/**
 * Writes a kubeconfig for `server` with a bearer token and returns its path. The client library refuses
 * plain http unless TLS verification is off, so the cluster entry says insecure-skip-tls-verify.
 */
export function writeKubeconfig(path: string, server: string, token = 'test-token'): string {
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
      'users:',
      `- name: runner\n  user:\n    token: ${token}`,
      'contexts:',
      '- name: fake\n  context:\n    cluster: fake\n    user: runner',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return path;
}
