/** Finding the iperf3 servers failed (API error, no servers): a run-level failure, exit 1, nothing pushed. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly operation: string,
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${target}: ${reason}`, options);
  }
}
