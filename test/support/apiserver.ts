// A real etcd and kube-apiserver of the test's own, on loopback with free ports and a private state
// dir (not test/k8s/rig.sh: that rig is machine-wide). Binaries from test/k8s/build.sh (run here when
// missing: it is idempotent and cached). Token auth (system:masters) and RBAC; no controllers, no kubelet:
// Node and Pod objects are created through the API with the status a kubelet would report.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

export const K8S_BIN = join(process.env.IPERF3_MONITOR_K8S_CACHE ?? join(homedir(), '.cache/iperf3-monitor/k8s'), 'bin');

export interface ApiServer {
  url: string;
  token: string;
  /** A kubeconfig for the admin token (insecure-skip-tls-verify: the apiserver's self-signed cert). */
  kubeconfig: string;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

function ensureBinaries(): void {
  if (['etcd', 'kube-apiserver'].every((b) => existsSync(join(K8S_BIN, b)))) return;
  execFileSync('test/k8s/build.sh', ['etcd', 'kube'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** GET with the token, accepting the apiserver's self-signed certificate; resolves with the status. */
export function apiGet(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

export function writeTokenKubeconfig(file: string, url: string, token: string, user = 'admin'): string {
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster: {server: "${url}", insecure-skip-tls-verify: true}\n` +
      `users:\n- name: ${user}\n  user: {token: "${token}"}\ncontexts:\n- name: t\n  context: {cluster: t, user: ${user}}\ncurrent-context: t\n`,
    { mode: 0o600 },
  );
  return file;
}

/** `tokens`: extra users, name → groups (for RBAC tests); their tokens are returned in `tokenOf`. */
export async function startApiServer(extraUsers: string[] = []): Promise<ApiServer & { tokenOf: (user: string) => string }> {
  ensureBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'cv-apiserver-'));
  mkdirSync(join(dir, 'pki'));
  const token = randomBytes(24).toString('hex');
  const tokens = new Map(extraUsers.map((user) => [user, randomBytes(24).toString('hex')]));
  writeFileSync(
    join(dir, 'pki/tokens.csv'),
    [`${token},admin,admin,system:masters`, ...[...tokens].map(([user, t]) => `${t},${user},${user}`)].join('\n') + '\n',
  );
  execFileSync('openssl', ['genrsa', '-out', join(dir, 'pki/sa.key'), '2048'], { stdio: 'ignore' });
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  const start = (bin: string, args: string[]) => {
    const child = spawn(join(K8S_BIN, bin), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => {
      logs.push(`${bin}: ${d}`);
      if (logs.length > 200) logs.shift();
    });
    children.push(child);
  };
  const stop = async () => {
    for (const child of children.reverse()) {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const etcd = `http://127.0.0.1:${etcdPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  start('etcd', [
    '--name=cv',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcd}`,
    `--advertise-client-urls=${etcd}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=cv=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  const url = `https://127.0.0.1:${apiPort}`;
  try {
    await waitFor('etcd', async () => (await fetch(`${etcd}/health`)).ok, 30_000);
    start('kube-apiserver', [
      `--etcd-servers=${etcd}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'pki')}`,
      `--token-auth-file=${join(dir, 'pki/tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(dir, 'pki/sa.key')}`,
      `--service-account-signing-key-file=${join(dir, 'pki/sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      '--disable-admission-plugins=ServiceAccount', // no controller makes the default ServiceAccount
    ]);
    await waitFor('kube-apiserver', async () => (await apiGet(`${url}/readyz`, token)) === 200, 120_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; logs:\n${logs.join('')}`);
  }
  return {
    url,
    token,
    dir,
    kubeconfig: writeTokenKubeconfig(join(dir, 'kubeconfig'), url, token),
    tokenOf: (user) => tokens.get(user)!,
    log: () => logs.join(''),
    stop,
  };
}
