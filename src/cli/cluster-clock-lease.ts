import { hostname } from 'node:os';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { RunConfig } from '../config/run-config.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { kubernetesLeaseApi } from '../lease/kubernetes-lease.ts';
import { acquireLease, type HeldLease } from '../lease/run-lease.ts';
import { systemClock } from '../schedule/clock.ts';

// The two things a run asks the cluster about itself: the Lease that makes runs exclusive, and when
// its own pod started (a Job's activeDeadlineSeconds counts from the Job's start, not from this
// process's, which may come much later after an image pull). Loaded only when used.

export async function holdRunLease(lease: NonNullable<RunConfig['lease']>, log: Logger): Promise<HeldLease> {
  const kc = loadKubeConfig(lease.kubeconfig);
  const api = kubernetesLeaseApi(kc, lease.namespace, lease.name);
  const identity = process.env.POD_NAME || `${hostname()}-${process.pid}`;
  const held = await acquireLease(api, {
    target: `${lease.namespace}/${lease.name}`,
    identity,
    durationS: lease.durationS,
    waitS: lease.waitS,
    clock: systemClock,
    onRenewError: (error) => log.warn({ err: (error as Error).message, lease: lease.name }, 'cannot renew the run Lease'),
  });
  log.info({ lease: `${lease.namespace}/${lease.name}`, holder: identity }, 'run Lease acquired');
  return held;
}

/**
 * Unix ms when this pod was created or started, whichever is earlier (the Job's clock starts before
 * either); undefined when it cannot be read (the deadline then counts from the process start).
 */
export async function podStartedAt(
  pod: NonNullable<RunConfig['pod']>,
  kubeconfig: string | undefined,
  log: Logger,
): Promise<number | undefined> {
  try {
    const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
    const read = await api.readNamespacedPod({ name: pod.name, namespace: pod.namespace });
    const times = [read.metadata?.creationTimestamp, read.status?.startTime]
      .filter((time): time is Date => time instanceof Date)
      .map((time) => time.getTime());
    return times.length > 0 ? Math.min(...times) : undefined;
  } catch (error) {
    log.warn(
      { err: (error as Error).message, pod: `${pod.namespace}/${pod.name}` },
      "cannot read this pod's start time; the deadline counts from the process start",
    );
    return undefined;
  }
}
