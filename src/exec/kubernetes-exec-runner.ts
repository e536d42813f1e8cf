import { PassThrough, Writable } from 'node:stream';
import type { Exec, V1Status } from '@kubernetes/client-node';
import type { ClientRunner, ProcessOutcome } from './process-outcome.ts';

// Mesh mode in Kubernetes: the client runs inside the source node's server pod through the
// pods/exec API, so the test leaves from that node's network (hostNetwork) with no extra pods.
// The exec status carries the exit code; a refused or broken exec is a start error, never a throw.
// Closing the exec stream does not stop the exec'd process (kubernetes#89031), so with `boundedClient`
// (iperf3-bounded, in both images) the client runs under it with stdin attached: the stream's end, or
// the test's timeout plus BOUNDED_MARGIN_S, stops iperf3 in the pod.

/** The part of the exec WebSocket this runner uses (the library's type comes from an untyped package). */
interface ExecSocket {
  close(): void;
  on(event: 'close', listener: () => void): unknown;
}

/** Seconds iperf3-bounded waits beyond the test's own timeout before it stops the client anyway. */
export const BOUNDED_MARGIN_S = 5;

/** The words pods/exec runs: iperf3 itself, or iperf3 under the bounded-client helper. */
export function execCommand(iperf3: string, args: string[], timeoutMs: number, boundedClient = ''): string[] {
  if (!boundedClient) return [iperf3, ...args];
  return [boundedClient, '--deadline', String(Math.ceil(timeoutMs / 1000) + BOUNDED_MARGIN_S), '--', iperf3, ...args];
}

export function kubernetesExecRunner(exec: Pick<Exec, 'exec'>, iperf3 = 'iperf3', boundedClient = ''): ClientRunner {
  return (pair, args, { timeoutMs, signal }) =>
    new Promise<ProcessOutcome>((resolve) => {
      const pod = pair.source.pod;
      if (!pod) {
        resolve({ ended: 'not-started', via: 'exec', message: `node ${pair.source.node} has no server pod to exec into` });
        return;
      }
      let stdout = '';
      let stderr = '';
      let status: V1Status | undefined;
      let socket: ExecSocket | undefined;
      let settled = false;
      // Never written to and never ended: its end is the stream's end, which iperf3-bounded sees as EOF.
      const stdin = boundedClient ? new PassThrough() : null;
      const sink = (append: (s: string) => void) =>
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            append(chunk.toString());
            callback();
          },
        });
      const done = (end: 'closed' | 'timed-out' | 'aborted' | { startError: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket?.close();
        stdin?.destroy();
        resolve(outcomeOf(end, { stdout, stderr, status, timeoutMs, target: `pods/exec ${pod.namespace}/${pod.name}` }));
      };
      const timer = setTimeout(() => done('timed-out'), timeoutMs);
      const onAbort = () => done('aborted');
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      exec
        .exec(
          pod.namespace,
          pod.name,
          pod.container ?? '',
          execCommand(iperf3, args, timeoutMs, boundedClient),
          sink((text) => (stdout += text)),
          sink((text) => (stderr += text)),
          stdin,
          false,
          (reported) => {
            status = reported;
          },
        )
        .then(
          (opened: ExecSocket) => {
            socket = opened;
            if (settled) opened.close();
            opened.on('close', () => done('closed'));
          },
          (error: unknown) => done({ startError: (error as Error).message ?? String(error) }),
        );
    });
}

interface Collected {
  stdout: string;
  stderr: string;
  status: V1Status | undefined;
  timeoutMs: number;
  target: string;
}

function outcomeOf(end: 'closed' | 'timed-out' | 'aborted' | { startError: string }, got: Collected): ProcessOutcome {
  if (end === 'timed-out') return { ended: 'timed-out', timeoutMs: got.timeoutMs };
  if (end === 'aborted') return { ended: 'aborted' };
  if (end !== 'closed') return { ended: 'not-started', via: 'exec', message: `${got.target}: ${end.startError}` };
  const code = exitCode(got.status);
  if (got.status?.status === 'Failure' && code === undefined) {
    return { ended: 'not-started', via: 'exec', message: `${got.target}: ${got.status.message ?? got.status.reason ?? 'failed'}` };
  }
  return { ended: 'exited', stdout: got.stdout, stderr: got.stderr, ...(code !== undefined ? { exitCode: code } : {}) };
}

/** "Success" → 0; "NonZeroExitCode" carries the code in details.causes[reason=ExitCode]. */
function exitCode(status: V1Status | undefined): number | undefined {
  if (!status) return undefined;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((candidate) => candidate.reason === 'ExitCode');
  const code = cause?.message === undefined ? NaN : Number(cause.message);
  return Number.isInteger(code) ? code : undefined;
}
