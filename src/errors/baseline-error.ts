import { OperationError } from './operation-error.ts';

/** Reading the baseline for `verify` failed (Prometheus or Pushgateway unreachable, bad answer): exit 1, nothing tested. */
export class BaselineError extends OperationError {
  override readonly name = 'BaselineError';
}
