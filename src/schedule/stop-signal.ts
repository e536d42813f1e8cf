import { setMaxListeners } from 'node:events';
import type { SkipReason } from '../model/types.ts';
import type { Clock } from './clock.ts';

// When the cycle must stop: at its deadline (on the injected clock, so that a virtual clock drives it
// in tests) or when the caller's signal aborts (SIGTERM, Ctrl-C). Running tests get this signal; its
// reason becomes the skip reason of what did not finish.

const DEADLINE = Symbol('deadline');

export interface StopSignal {
  signal: AbortSignal;
  reason(): SkipReason;
}

/** `timers`: cancels the deadline's sleep once the cycle is over. */
export function stopSignal(clock: Clock, deadline: number | undefined, caller: AbortSignal | undefined, timers: AbortSignal): StopSignal {
  const atDeadline = new AbortController();
  if (deadline !== undefined) {
    clock.sleep(Math.max(0, deadline - clock.now()), timers).then(
      () => atDeadline.abort(DEADLINE),
      () => {},
    );
  }
  const signal = caller ? AbortSignal.any([caller, atDeadline.signal]) : atDeadline.signal;
  // Every running test listens on it (one listener each, removed when it ends): with more than ten
  // in flight Node would print a leak warning that is none.
  setMaxListeners(0, signal);
  return {
    signal,
    reason: () => (signal.reason === DEADLINE ? 'deadline' : 'aborted'),
  };
}
