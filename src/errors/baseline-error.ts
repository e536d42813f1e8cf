/** Reading the baseline for `verify` failed (Prometheus or Pushgateway unreachable, bad answer): exit 1, nothing tested. */
export class BaselineError extends Error {
  override readonly name = 'BaselineError';
  constructor(
    readonly operation: string,
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${target}: ${reason}`, options);
  }
}
