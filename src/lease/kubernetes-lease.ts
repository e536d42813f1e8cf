import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { LeaseConflict, type LeaseApi, type LeaseRecord } from './run-lease.ts';

// The run Lease through the Kubernetes API (coordination.k8s.io/v1): get, create, update, nothing else
// (the chart grants just those verbs, on this Lease's name).

export function kubernetesLeaseApi(kc: KubeConfig, namespace: string, name: string): LeaseApi {
  const api = kc.makeApiClient(CoordinationV1Api);
  const toRecord = (lease: V1Lease): LeaseRecord => ({
    holder: lease.spec?.holderIdentity ?? undefined,
    renewedAt: lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : undefined,
    durationS: lease.spec?.leaseDurationSeconds,
    resourceVersion: lease.metadata?.resourceVersion,
  });
  const toLease = (record: LeaseRecord): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(record.resourceVersion ? { resourceVersion: record.resourceVersion } : {}) },
    spec: {
      ...(record.holder ? { holderIdentity: record.holder } : {}),
      ...(record.renewedAt !== undefined ? { renewTime: new V1MicroTime(record.renewedAt) } : {}),
      ...(record.durationS !== undefined ? { leaseDurationSeconds: record.durationS } : {}),
    },
  });
  const conflicts = (error: unknown) => {
    if (error instanceof ApiException && error.code === 409) throw new LeaseConflict(`Lease ${namespace}/${name}: conflict`);
    throw error;
  };
  return {
    async read() {
      try {
        return toRecord(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    async create(record) {
      return toRecord(await api.createNamespacedLease({ namespace, body: toLease(record) }).catch(conflicts));
    },
    async update(record) {
      return toRecord(await api.replaceNamespacedLease({ name, namespace, body: toLease(record) }).catch(conflicts));
    },
  };
}
