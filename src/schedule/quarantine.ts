import type { Failure, Pair } from '../model/types.ts';

// Servers that are down for the rest of the cycle (the failure policy says which failures mean
// that): later tests to them fail at once as `unreachable`, with the reason, instead of each waiting
// out the same timeout again.

const VERB: Partial<Record<Failure['kind'], string>> = { timeout: 'timed out', refused: 'was refused' };

export class Quarantine {
  private readonly reasons = new Map<number, string>();

  add(receiver: number, pair: Pair, failure: Failure): void {
    const what = VERB[failure.kind] ?? `failed (${failure.kind})`;
    const test = `an earlier ${pair.protocol} test from ${pair.source.node} to ${pair.destination.node}`;
    this.reasons.set(receiver, `not tested: ${test} ${what} (${failure.message})`);
  }

  /** Why tests to this server are not run, or undefined while it is not quarantined. */
  reason(receiver: number): string | undefined {
    return this.reasons.get(receiver);
  }
}
