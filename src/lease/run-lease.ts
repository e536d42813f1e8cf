import type { Clock } from '../schedule/clock.ts';

// Runs are exclusive cluster-wide: `kubectl create job --from=cronjob/…` bypasses the CronJob's
// concurrencyPolicy: Forbid, and two runners would collide on the servers and overwrite each other's
// groups. The running runner holds a coordination.k8s.io Lease, renews it while it runs and releases
// it at exit (holder cleared); a second runner waits up to a bound for it, or exits with a message.
// Only get, create and update are used (optimistic concurrency on resourceVersion). The API is passed in.

export interface LeaseRecord {
  holder?: string | undefined;
  /** Unix ms of the last renewal. */
  renewedAt?: number | undefined;
  durationS?: number | undefined;
  resourceVersion?: string | undefined;
}

export interface LeaseApi {
  /** undefined when the Lease does not exist. */
  read(): Promise<LeaseRecord | undefined>;
  /** Rejects with a LeaseConflict when it exists already. */
  create(record: LeaseRecord): Promise<LeaseRecord>;
  /** Rejects with a LeaseConflict when resourceVersion is stale. */
  update(record: LeaseRecord): Promise<LeaseRecord>;
}

export class LeaseConflict extends Error {
  override readonly name = 'LeaseConflict';
}

/** Another runner holds the Lease and the wait (if any) is over. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
}

export interface LeaseOptions {
  /** "namespace/name", for messages. */
  target: string;
  identity: string;
  durationS: number;
  /** Seconds to wait for the holder to release it (0: do not wait). */
  waitS: number;
  clock: Clock;
  /** Called when a renewal fails (the run goes on; the Lease may be taken over once it expires). */
  onRenewError?: (error: unknown) => void;
}

export interface HeldLease {
  /** Stops renewing and clears the holder so that the next runner may start at once. */
  release(): Promise<void>;
}

const POLL_MS = 1000;

export async function acquireLease(api: LeaseApi, options: LeaseOptions): Promise<HeldLease> {
  const { clock, identity, durationS, target } = options;
  const giveUpAt = clock.now() + options.waitS * 1000;
  let held: LeaseRecord | undefined;
  for (;;) {
    const now = clock.now();
    const current = await api.read();
    const mine = { holder: identity, renewedAt: now, durationS };
    try {
      if (!current) held = await api.create(mine);
      else if (free(current, now) || current.holder === identity)
        held = await api.update({ ...mine, resourceVersion: current.resourceVersion });
    } catch (error) {
      if (!(error instanceof LeaseConflict)) throw error;
      continue; // another runner moved first: look again
    }
    if (held) break;
    if (now >= giveUpAt) {
      const since = current?.renewedAt ? `, renewed ${new Date(current.renewedAt).toISOString()}` : '';
      const waited = options.waitS > 0 ? `waited ${options.waitS} s (--lease-wait)` : 'not waiting (--lease-wait 0)';
      throw new LeaseHeldError(`another run holds Lease ${target} (holder ${current?.holder}${since}); ${waited}`);
    }
    await clock.sleep(Math.min(POLL_MS, giveUpAt - now));
  }
  return renewing(api, held, options);
}

function free(lease: LeaseRecord, now: number): boolean {
  if (!lease.holder) return true;
  const expiresAt = (lease.renewedAt ?? 0) + (lease.durationS ?? 0) * 1000;
  return expiresAt < now;
}

function renewing(api: LeaseApi, first: LeaseRecord, options: LeaseOptions): HeldLease {
  let current = first;
  const stop = new AbortController();
  const every = (options.durationS * 1000) / 3;
  const loop = async () => {
    while (!stop.signal.aborted) {
      try {
        await options.clock.sleep(every, stop.signal);
      } catch {
        return;
      }
      try {
        current = await api.update({ ...current, renewedAt: options.clock.now() });
      } catch (error) {
        options.onRenewError?.(error);
      }
    }
  };
  const running = loop();
  return {
    async release() {
      stop.abort();
      await running;
      await api.update({ ...current, holder: undefined, renewedAt: undefined });
    },
  };
}
