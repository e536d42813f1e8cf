/** A run-level failure at an edge, named by what was being done and to what: `<operation> <target>: <reason>`. */
export abstract class OperationError extends Error {
  constructor(
    readonly operation: string,
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${target}: ${reason}`, options);
  }
}
