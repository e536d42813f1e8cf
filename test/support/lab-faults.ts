// Faults injected into a running lab's iperf3 servers, for the tests and the bench: its pid (to stop
// it with SIGSTOP, resume it with SIGCONT or kill it), and a restart.
import { readFileSync, rmSync } from 'node:fs';
import { LabError, serverPidFile, startServer, waitForServers, type LabState } from '../../src/lab/lab.ts';

export function serverPid(state: LabState, node: string): number {
  return Number(readFileSync(serverPidFile(state.dir, node), 'utf8').trim());
}

export async function restartServer(state: LabState, node: string): Promise<void> {
  const labNode = state.spec.nodes.find((candidate) => candidate.name === node);
  if (!labNode) throw new LabError(`no lab node ${node}`);
  try {
    process.kill(serverPid(state, node), 'SIGKILL');
  } catch {
    // already gone
  }
  // A killed daemon can linger as a zombie (PID 1 here does not reap), and iperf3 refuses to start
  // while its pidfile names a pid that still exists.
  rmSync(serverPidFile(state.dir, node), { force: true });
  await startServer(state.spec, state.dir, labNode);
  await waitForServers(state.spec, [labNode]);
}
