// Test helper around test/k8s/rig.sh: a real control plane (etcd, kube-apiserver, controller-manager,
// scheduler) with KWOK fake nodes backed by network-namespace lab nodes. One rig per test file; each file
// brings it up in before() and tears it down in after() (also when a test failed).
import { execFileSync, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const k8sDir = dirname(fileURLToPath(import.meta.url));
export const repoDir = resolve(k8sDir, '../..');

/** Builds (or finds cached) the binaries; returns the bin directory. Slow only on a fresh machine. */
export function buildBinaries(): string {
  const r = spawnSync(join(k8sDir, 'build.sh'), [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`test/k8s/build.sh failed with status ${r.status}`);
  return r.stdout.trim().split('\n').pop()!;
}

export interface ExecResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class Rig {
  readonly state: string;
  readonly kubeconfig: string;
  bin = '';
  startSeconds = NaN;

  constructor() {
    this.state = join(mkdtempSync(join(tmpdir(), 'iperf3-monitor-k8s-')), 'state');
    this.kubeconfig = join(this.state, 'admin.kubeconfig');
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    // the owner: while this process runs, another test's `up` waits for this rig instead of tearing it down
    return { ...process.env, IPERF3_MONITOR_K8S_STATE: this.state, IPERF3_MONITOR_K8S_OWNER: String(process.pid), ...extra };
  }

  private script(args: string[], input?: string): string {
    const r = spawnSync(join(k8sDir, 'rig.sh'), args, {
      encoding: 'utf8',
      env: this.env(),
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`rig.sh ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  }

  private readonly children: ChildProcess[] = [];
  private readonly onExit = () => this.down();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.down();
    process.kill(process.pid, signal);
  };

  up(nodes: string[]): void {
    this.start('up', nodes);
  }

  /** Real nodes: a kubelet, kube-proxy and containerd per node, each in its lab network namespace. */
  upReal(nodes: string[]): void {
    this.start('up-real', nodes);
  }

  private start(cmd: 'up' | 'up-real', nodes: string[]): void {
    this.bin = buildBinaries();
    // Tear down even when the test process exits without running after() hooks (e.g. a crash).
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    this.script([cmd, ...nodes]);
    this.startSeconds = Number(readFileSync(join(this.state, 'start-ms'), 'utf8')) / 1000;
  }

  /** ctr (containerd's client) against a real node's containerd, in the CRI namespace. */
  ctr(node: string, args: string[]): string {
    return execFileSync('ctr', ['-a', join(this.state, 'nodes', node, 'run/containerd.sock'), '-n', 'k8s.io', ...args], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  }

  /** Runs a short command inside a lab node's network namespace (a client, never a daemon). */
  inNode(node: string, cmd: string[], timeoutMs = 30_000): ExecResult {
    const r = spawnSync('ip', ['netns', 'exec', `ik8s-${node}`, ...cmd], { encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Processes the test started next to the rig (e.g. a Pushgateway): killed by down(), even on a signal. */
  track(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  private isDown = false;

  down(): void {
    if (this.isDown) return;
    this.isDown = true;
    for (const c of this.children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    process.removeListener('exit', this.onExit);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    // the logs of the last rig outlive it (control plane, and per real node: containerd, kubelet, kube-proxy)
    const keep = join(tmpdir(), 'iperf3-monitor-k8s-last-logs');
    spawnSync('sh', ['-c', 'rm -rf "$2" && mkdir -p "$2" && cp -r "$1/log" "$2/" 2>/dev/null; for n in "$1"/nodes/*/; do [ -d "$n" ] && mkdir -p "$2/$(basename "$n")" && cp "$n"*.log "$2/$(basename "$n")/"; done; true', 'sh', this.state, keep]);
    spawnSync(join(k8sDir, 'rig.sh'), ['down'], { env: this.env(), stdio: 'ignore' });
    rmSync(dirname(this.state), { recursive: true, force: true });
  }

  nodeAdd(...nodes: string[]): void {
    this.script(['node-add', ...nodes]);
  }

  nodeDel(node: string): void {
    this.script(['node-del', node]);
  }

  /** Stops / restarts the iperf3 server of a lab node (the node and its pod stay). */
  labServer(node: string, action: 'stop' | 'start'): void {
    execFileSync(join(k8sDir, 'lab.sh'), [action, node], { env: this.env(), stdio: 'ignore' });
  }

  syncExecs(): void {
    this.script(['sync-execs']);
  }

  /** Lab nodes: name -> { ip, netns }. */
  labNodes(): Map<string, { ip: string; netns: string }> {
    const out = execFileSync(join(k8sDir, 'lab.sh'), ['list'], { encoding: 'utf8', env: this.env() });
    return new Map(
      out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [name, ip, netns] = l.split(' ');
          return [name!, { ip: ip!, netns: netns! }];
        }),
    );
  }

  /** kubectl as admin (or with --token/--kubeconfig overrides in args); throws on failure. */
  kubectl(args: string[], input?: string): string {
    const r = this.kubectlRaw(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  kubectlRaw(args: string[], input?: string): ExecResult {
    const r = spawnSync(join(this.bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, ...args], {
      encoding: 'utf8',
      input,
      maxBuffer: 64 << 20,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  kubectlJson<T = any>(args: string[]): T {
    return JSON.parse(this.kubectl([...args, '-o', 'json'])) as T;
  }

  helm(args: string[]): ExecResult {
    const r: SpawnSyncReturns<string> = spawnSync(join(this.bin, 'helm'), ['--kubeconfig', this.kubeconfig, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** A TokenRequest token for a ServiceAccount. */
  token(sa: string, namespace: string, duration = '1h'): string {
    return this.kubectl(['create', 'token', sa, '-n', namespace, '--duration', duration]).trim();
  }

  /** The API server URL from the admin kubeconfig. */
  server(): string {
    const m = /server: (\S+)/.exec(readFileSync(this.kubeconfig, 'utf8'));
    return m![1]!;
  }

  /** Writes a kubeconfig authenticating with a bearer token (e.g. a ServiceAccount's); returns its path. */
  tokenKubeconfig(name: string, token: string, namespace = 'default'): string {
    const file = join(this.state, `${name}.kubeconfig`);
    const cfg = [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: rig, cluster: {server: "${this.server()}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: ${name}, user: {token: "${token}"}}]`,
      `contexts: [{name: rig, context: {cluster: rig, user: ${name}, namespace: ${namespace}}}]`,
      'current-context: rig',
      '',
    ].join('\n');
    execFileSync('sh', ['-c', 'umask 077 && cat > "$1"', 'sh', file], { input: cfg });
    return file;
  }
}

/** The prometheus-operator CRDs (ServiceMonitor, PrometheusRule, PodMonitor) to install before the chart. */
export function crdDir(): string {
  const candidates = [
    process.env.IPERF3_MONITOR_CRDS ?? '',
    join(repoDir, 'test/k8s/crds'),
    join(repoDir, 'test/chart/crds'),
    resolve(repoDir, '../shared/crds'),
  ].filter(Boolean);
  const found = candidates.find((d) => existsSync(join(d, 'monitoring.coreos.com_servicemonitors.yaml')));
  if (!found) throw new Error(`prometheus-operator CRDs not found in ${candidates.join(', ')}`);
  return found;
}

/** Polls fn until it returns a truthy value or the time is up. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
