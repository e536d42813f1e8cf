import { PassThrough, Writable } from 'node:stream';
import type { Exec, V1Status } from '@kubernetes/client-node';
import type { ClientRunner, ProcessOutcome } from './process-outcome.ts';

// Mesh mode in Kubernetes: the client runs inside the source node's server pod through the
// pods/exec API, so the test leaves from that node's network (hostNetwork) with no extra pods.
// The exec status carries the exit code; a refused or broken exec is a start error, never a throw.
// Closing the exec stream does not stop the exec'd process (kubernetes#89031), so with `boundedClient`
// (iperf3-bounded, in both images) the client runs under it with stdin attached: the stream's end, or
// the test's timeout plus BOUNDED_MARGIN_S, stops iperf3 in the pod.

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
        resolve({ stdout: '', stderr: '', timeoutMs, startError: { kind: 'exec', message: `node ${pair.source.node} has no server pod to exec into` } });
        return;
      }
      let stdout = '';
      let stderr = '';
      let status: V1Status | undefined;
      let socket: { close(): void } | undefined;
      let settled = false;
      // Never written to and never ended: its end is the stream's end, which iperf3-bounded sees as EOF.
      const stdin = boundedClient ? new PassThrough() : null;
      const sink = (append: (s: string) => void) =>
        new Writable({
          write(chunk, _enc, cb) {
            append(chunk.toString());
            cb();
          },
        });
      const done = (extra: Partial<ProcessOutcome>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket?.close();
        stdin?.destroy();
        const out: ProcessOutcome = { stdout, stderr, timeoutMs, ...extra };
        const code = exitCode(status);
        if (code !== undefined && !extra.timedOut && !extra.aborted) out.exitCode = code;
        if (status?.status === 'Failure' && code === undefined && !out.startError) {
          out.startError = { kind: 'exec', message: `pods/exec ${pod.namespace}/${pod.name}: ${status.message ?? status.reason ?? 'failed'}` };
        }
        resolve(out);
      };
      const timer = setTimeout(() => done({ timedOut: true }), timeoutMs);
      const onAbort = () => done({ aborted: true });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      exec
        .exec(pod.namespace, pod.name, pod.container ?? '', execCommand(iperf3, args, timeoutMs, boundedClient), sink((s) => (stdout += s)), sink((s) => (stderr += s)), stdin, false, (s) => {
          status = s;
        })
        .then(
          (ws) => {
            socket = ws;
            if (settled) ws.close();
            ws.on('close', () => done({}));
          },
          (e: unknown) => done({ startError: { kind: 'exec', message: `pods/exec ${pod.namespace}/${pod.name}: ${(e as Error).message ?? e}` } }),
        );
    });
}

/** "Success" → 0; "NonZeroExitCode" carries the code in details.causes[reason=ExitCode]. */
function exitCode(s: V1Status | undefined): number | undefined {
  if (!s) return undefined;
  if (s.status === 'Success') return 0;
  const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = cause?.message === undefined ? NaN : Number(cause.message);
  return Number.isInteger(n) ? n : undefined;
}
