import type { Clock } from '../schedule/clock.ts';

// An overall bound on one step whose parts have only their own timeouts (the push: an idle timeout per
// request, retries with backoff). The step's promise is raced against the clock; what it leaves behind
// (a socket still open) is ended by the process exiting (main.ts), never waited for.

export class StepTimeout extends Error {
  override readonly name = 'StepTimeout';
}

/** Resolves as `work`, or rejects with a StepTimeout saying `what` did not finish within `ms`. */
export async function within<T>(clock: Clock, ms: number, what: string, work: Promise<T>): Promise<T> {
  const timer = new AbortController();
  const expired = clock.sleep(ms, timer.signal).then(
    () => Promise.reject(new StepTimeout(`${what} did not finish within ${ms / 1000} s`)),
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([work, expired]);
  } finally {
    timer.abort();
  }
}
