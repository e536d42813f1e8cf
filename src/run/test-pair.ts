import type { Pair, TestOutcome } from '../model/types.ts';
import type { ClientRunner } from '../exec/process-outcome.ts';
import { clientArgs, testTimeoutMs, type IperfOptions } from '../iperf/client-args.ts';
import { parseResult } from '../iperf/parse-result.ts';

// One test, end to end: arguments → run the client where the deployment runs it → classify.
// Like a blackbox_exporter probe, it never throws for a failed test: the failure is a value.

export function pairTester(runner: ClientRunner, options: IperfOptions) {
  const timeoutMs = testTimeoutMs(options);
  return async (pair: Pair, signal: AbortSignal): Promise<TestOutcome> => {
    const out = await runner(pair, clientArgs(pair, options), { timeoutMs, signal });
    return parseResult(out, pair.protocol);
  };
}
