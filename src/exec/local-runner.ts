import { execa } from 'execa';
import type { Pair } from '../model/types.ts';
import type { ClientRunner, ProcessOutcome } from './process-outcome.ts';
import { commandFor } from './command-template.ts';

// Runs the iperf3 client as a local process: in star mode the plain binary, with static targets the
// client command of the source node (e.g. `ip netns exec lab-{node} iperf3`). A non-zero exit, a
// timeout or an abort is data for the parser (reject: false), never an exception.

/**
 * `words`: the command before the iperf3 arguments, with {node} standing for the source node.
 * `env`: added to the client's environment (IPERF3_PASSWORD), never to its command line.
 */
export function localRunner(words: readonly string[], env?: Record<string, string>): ClientRunner {
  return async (pair: Pair, args: string[], { timeoutMs, signal }): Promise<ProcessOutcome> => {
    let argv: string[];
    try {
      argv = commandFor(words, pair.source.node);
    } catch (error) {
      return { ended: 'not-started', via: 'spawn', message: (error as Error).message };
    }
    const [file, ...pre] = argv;
    const child = await execa(file!, [...pre, ...args], {
      reject: false,
      timeout: timeoutMs,
      cancelSignal: signal,
      forceKillAfterDelay: 2000,
      stdin: 'ignore',
      stripFinalNewline: false,
      ...(env ? { env } : {}),
    });
    if (child.isCanceled) return { ended: 'aborted' };
    if (child.timedOut) return { ended: 'timed-out', timeoutMs };
    if (child.failed && child.exitCode === undefined && !child.isTerminated) {
      return { ended: 'not-started', via: 'spawn', message: `cannot start ${file}: ${child.originalMessage ?? child.shortMessage}` };
    }
    return { ended: 'exited', stdout: String(child.stdout ?? ''), stderr: String(child.stderr ?? ''), exitCode: child.exitCode };
  };
}
