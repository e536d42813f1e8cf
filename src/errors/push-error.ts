/** A Pushgateway request failed after its retries: a run-level failure, exit 1. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly operation: string,
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${target}: ${reason}`, options);
  }
}
