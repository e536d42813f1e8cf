import { Writable } from 'node:stream';
import type { Exec, V1Status } from '@kubernetes/client-node';
import type { ClientRunner, ProcessOutcome } from './process-outcome.ts';

// Mesh mode in Kubernetes: the client runs inside the source node's server pod through the
// pods/exec API, so the test leaves from that node's network (hostNetwork) with no extra pods.
// The exec status carries the exit code; a refused or broken exec is a start error, never a throw.

/** The part of the exec WebSocket this runner uses (the library's type comes from an untyped package). */
interface ExecSocket {
  close(): void;
  on(event: 'close', listener: () => void): unknown;
}

export function kubernetesExecRunner(exec: Pick<Exec, 'exec'>, iperf3 = 'iperf3'): ClientRunner {
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
          [iperf3, ...args],
          sink((text) => (stdout += text)),
          sink((text) => (stderr += text)),
          null,
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
