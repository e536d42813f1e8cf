import type { Failure, Pair } from '../model/types.ts';

// Who is to blame when a test times out or is refused: the destination (its server hung or died) or
// the source (its exec hangs, its NIC is down)? One failure does not say. A destination is marked
// down only on evidence that it is the destination: a second source fails to it the same way, or the
// source that failed to it has succeeded to another node in this run. A source that fails to two
// destinations not otherwise known down is marked down itself. While the evidence is pending, tests
// into a suspected destination wait (see `awaitsEvidence`), so the suspicion costs no second timeout.
// Tests not run because an end was marked down are skipped with the reason, never failed.

export type BlameReason = 'destination-down' | 'source-down';

export interface Verdict {
  reason: BlameReason;
  message: string;
}

const VERB: Partial<Record<Failure['kind'], string>> = { timeout: 'timed out', refused: 'was refused' };

interface Suspicion {
  /** Senders whose test to this receiver failed the server-gone way. */
  by: Set<number>;
  /** The first such failure, in words. */
  first: string;
}

export class Blame {
  /** Senders with at least one successful test in this run. */
  private readonly healthy = new Set<number>();
  private readonly suspects = new Map<number, Suspicion>();
  /** Sender → receivers it failed to the server-gone way. */
  private readonly failedTo = new Map<number, Set<number>>();
  private readonly downDestinations = new Map<number, string>();
  private readonly downSources = new Map<number, string>();

  constructor(private readonly names: (node: number) => string) {}

  /** A test from `sender` to `receiver` succeeded: both ends work. */
  success(sender: number, receiver: number): void {
    this.suspects.delete(receiver);
    if (this.healthy.has(sender)) return;
    this.healthy.add(sender);
    // The sender works, so the destinations it failed to are the ones at fault.
    for (const [suspect, suspicion] of this.suspects) {
      if (suspicion.by.has(sender)) this.markDestination(suspect, `${suspicion.first}, and ${this.names(sender)} reached other nodes`);
    }
  }

  /** A test's final failure; only the server-gone kinds (timeout, refused) are evidence. */
  failure(sender: number, receiver: number, pair: Pair, failure: Failure): void {
    const verb = VERB[failure.kind] ?? `failed (${failure.kind})`;
    const what = `a ${pair.protocol} test from ${pair.source.node} to ${pair.destination.node} ${verb} (${failure.message})`;
    if (this.downDestinations.has(receiver)) return;
    if (this.healthy.has(sender)) {
      this.markDestination(receiver, `${what}, and ${pair.source.node} reached other nodes`);
      return;
    }
    const suspicion = this.suspects.get(receiver) ?? { by: new Set<number>(), first: what };
    this.suspects.set(receiver, suspicion);
    suspicion.by.add(sender);
    if (suspicion.by.size >= 2) {
      const others = [...suspicion.by].filter((node) => node !== sender).map(this.names);
      this.markDestination(receiver, `${what}, as did tests from ${others.join(', ')}`);
      return;
    }
    const failed = this.failedTo.get(sender) ?? new Set<number>();
    this.failedTo.set(sender, failed);
    failed.add(receiver);
    const unexplained = [...failed].filter((node) => !this.downDestinations.has(node));
    if (unexplained.length >= 2) {
      const targets = unexplained.map(this.names).join(', ');
      this.downSources.set(sender, `not tested: ${pair.source.node} looked down: its tests to ${targets} timed out or were refused`);
      // Its failures say nothing about those destinations any more.
      for (const node of unexplained) {
        const other = this.suspects.get(node);
        other?.by.delete(sender);
        if (other?.by.size === 0) this.suspects.delete(node);
      }
    }
  }

  /** Senders whose failure made a node a suspect: their next success settles it. */
  *witnesses(): Generator<number> {
    for (const suspicion of this.suspects.values()) yield* suspicion.by;
  }

  /** Why a test from `sender` to `receiver` is not run, or undefined. */
  verdict(sender: number, receiver: number): Verdict | undefined {
    const source = this.downSources.get(sender);
    if (source !== undefined) return { reason: 'source-down', message: source };
    const destination = this.downDestinations.get(receiver);
    if (destination !== undefined) return { reason: 'destination-down', message: destination };
    return undefined;
  }

  /**
   * Whether tests into `receiver` should wait: it is suspected and a sender that failed to it has other
   * work that will run (a test running, or one pending into a node not suspected) and so will say who
   * was at fault. Work into suspected nodes does not count: two suspicions must not wait on each other.
   */
  awaitsEvidence(receiver: number, hasOtherWork: (sender: number, counts: (receiver: number) => boolean) => boolean): boolean {
    const suspicion = this.suspects.get(receiver);
    if (!suspicion) return false;
    const counts = (other: number) => !this.suspects.has(other);
    for (const sender of suspicion.by) if (hasOtherWork(sender, counts)) return true;
    return false;
  }

  private markDestination(receiver: number, evidence: string): void {
    this.suspects.delete(receiver);
    this.downDestinations.set(receiver, `not tested: ${this.names(receiver)} looked down: ${evidence}`);
  }
}
