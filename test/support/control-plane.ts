// A private Kubernetes control plane for one test file: etcd and kube-apiserver on loopback (free
// ports, a private state dir, RBAC, static tokens for an admin and a "runner" user), no nodes or
// controllers. The binaries come from test/k8s/build.sh (built once, cached). Not the rig: no
// network namespaces, nothing machine-wide.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

const BIN = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'iperf3-monitor/k8s/bin');

export interface ControlPlane {
  adminKubeconfig: string;
  runnerKubeconfig: string;
  kubectl(...args: string[]): string;
  stop(): Promise<void>;
}

function kubeconfig(file: string, server: string, token: string, user: string): string {
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: cp\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}\n` +
      `users:\n- name: ${user}\n  user: {token: "${token}"}\ncontexts:\n- name: cp\n  context: {cluster: cp, user: ${user}}\ncurrent-context: cp\n`,
    { mode: 0o600 },
  );
  return file;
}

export async function startControlPlane(): Promise<ControlPlane> {
  execFileSync('test/k8s/build.sh', { stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = mkdtempSync(join(tmpdir(), 'control-plane-'));
  const [etcdPort, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const admin = randomBytes(16).toString('hex');
  const runner = randomBytes(16).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${admin},admin,admin,system:masters\n${runner},runner,runner\n`);
  execFileSync('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048'], { stdio: 'ignore' });
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), 'a');
    children.push(spawn(join(BIN, name), args, { stdio: ['ignore', log, log] }));
  };
  start('etcd', [
    '--name=cp', `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=cp=http://127.0.0.1:${etcdPeer}`, '--unsafe-no-fsync', '--log-level=warn',
  ]);
  await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, 30_000);
  start('kube-apiserver', [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`, '--bind-address=127.0.0.1', `--secure-port=${apiPort}`,
    '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none', `--cert-dir=${join(dir, 'pki')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(dir, 'sa.key')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`, '--service-cluster-ip-range=10.96.0.0/24',
  ]);
  const server = `https://127.0.0.1:${apiPort}`;
  const adminKubeconfig = kubeconfig(join(dir, 'admin.kubeconfig'), server, admin, 'admin');
  const kubectl = (...args: string[]) =>
    execFileSync(join(BIN, 'kubectl'), ['--kubeconfig', adminKubeconfig, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor('kube-apiserver /readyz', () => kubectl('get', '--raw', '/readyz').trim() === 'ok', 120_000);
  return {
    adminKubeconfig,
    runnerKubeconfig: kubeconfig(join(dir, 'runner.kubeconfig'), server, runner, 'runner'),
    kubectl,
    async stop() {
      for (const child of children.reverse()) {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
