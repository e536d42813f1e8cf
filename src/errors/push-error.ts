import { OperationError } from './operation-error.ts';

/** A Pushgateway request failed after its retries: a run-level failure, exit 1. */
export class PushError extends OperationError {
  override readonly name = 'PushError';
}
