import { setTimeout as sleep } from 'node:timers/promises';

// Time as the scheduler sees it: injected, so the real runner uses the wall clock and the
// simulation and tests a virtual one (test/support/virtual-clock.ts).

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}),
};
