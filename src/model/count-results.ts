import type { PairResult, PairStatus } from './types.ts';

// How many tests of a cycle succeeded, failed or were skipped: the summary every output shows.

export function countByStatus(results: readonly PairResult[]): Record<PairStatus, number> {
  const counts: Record<PairStatus, number> = { success: 0, failure: 0, skipped: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}
