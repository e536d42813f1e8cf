import { OperationError } from './operation-error.ts';

/** Finding the iperf3 servers failed (API error, no servers): a run-level failure, exit 1, nothing pushed. */
export class DiscoveryError extends OperationError {
  override readonly name = 'DiscoveryError';
}
