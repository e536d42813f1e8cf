// What a rig may change on this host, captured so that a test can compare before and after: sysctls,
// cgroups, mounts, network namespaces, processes, the host's iptables rules and the fixed paths kubelet,
// containerd and the CNI plugins use by default. Other work may run on the machine at the same time
// (other labs, image builds), so only what could be the rig's is compared: everything, minus entries that
// are known to belong to others or to change by themselves (counters, random pools).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HostState {
  sysctls: Map<string, string>;
  cgroups: Set<string>;
  mounts: Set<string>;
  netns: Set<string>;
  processes: Map<string, string>; // pid -> cmdline, only processes that look like the rig's
  iptables: string;
  paths: Map<string, boolean>;
}

// sysctls that change by themselves (counters, entropy, pids, time-based)
const volatileSysctl =
  /^(kernel\.random\.|kernel\.ns_last_pid|kernel\.pty\.nr|kernel\.tainted|fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|dquot|quota)|net\.netfilter\.nf_conntrack_count|vm\.stat|net\.ipv4\.tcp_mem|net\.ipv4\.udp_mem|kernel\.sched_domain|fs\.binfmt_misc|net\.ipv6\.route\.|net\.ipv4\.route\.|kernel\.perf_event_max_sample_rate|kernel\.core_pipe_limit)/;

// mounts the rig could leave behind (other work on the machine mounts and unmounts too: image builds, labs)
const rigMount = /(ik8s|iperf3-monitor-k8s|\/run\/netns( |\/(ik8s-|cni-))|\/run\/containerd|\/var\/lib\/(kubelet|containerd|cni)|\/proc\/sys|\/var\/log|\/sys\/fs\/cgroup|kubelet|containerd|\/var\/lib |\/run )/;

// processes that would be the rig's: its binaries, the node runtime, a pod's processes
const rigProcess = /(iperf3-monitor-k8s|\/k8s\/bin\/|containerd|runc|kubelet|kube-proxy|coredns|\/pause\b|\/bin\/pushgateway|iperf3-bounded|ik8s-)/;

// default paths of kubelet, containerd and the CNI plugins; the rig must never create them on the host
export const fixedPaths = ['/var/lib/kubelet', '/var/lib/containerd', '/run/containerd', '/var/lib/cni', '/etc/cni',
  '/opt/cni', '/opt/containerd', '/var/log/containers', '/var/log/pods', '/run/xtables.lock', '/etc/kubernetes',
  '/run/iperf3-monitor-k8s.current'];

function cgroupDirs(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string, depth: number) => {
    out.add(dir);
    if (depth > 4) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name), depth + 1);
  };
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const d = join('/sys/fs/cgroup', h);
    if (statSync(d).isDirectory() && existsSync(join(d, 'cgroup.procs'))) walk(d, 0);
  }
  return out;
}

function processes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (/\/ik8s-/.test(cgroup) || (rigProcess.test(cmd) && !/node --test|test\/run\.mjs|host-state/.test(cmd))) out.set(pid, cmd);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function snapshot(): HostState {
  const sysctls = new Map<string, string>();
  for (const line of execFileSync('sysctl', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0 && !volatileSysctl.test(line)) sysctls.set(line.slice(0, i), line.slice(i + 3));
  }
  const mounts = new Set(
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const f = l.split(' ');
        const sep = f.indexOf('-');
        return `${f[4]} ${f[sep + 1]} ${f[sep + 2]}`; // mount point, type, source
      })
      .filter((m) => rigMount.test(m)),
  );
  const netns = new Set(existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => /^(ik8s-|cni-)/.test(n)) : []);
  const paths = new Map(fixedPaths.map((p) => [p, existsSync(p)]));
  return {
    sysctls,
    cgroups: cgroupDirs(),
    mounts,
    netns,
    processes: processes(),
    iptables: execFileSync('iptables-save', { encoding: 'utf8' }).replace(/^#.*\n/gm, '').replace(/\[\d+:\d+\]/g, ''),
    paths,
  };
}

/** Differences between two snapshots, one line each; empty when the host is as it was. */
export function diff(before: HostState, after: HostState): string[] {
  const out: string[] = [];
  for (const [k, v] of after.sysctls) if (before.sysctls.has(k) && before.sysctls.get(k) !== v) out.push(`sysctl ${k}: ${before.sysctls.get(k)} -> ${v}`);
  const sets: [string, Set<string>, Set<string>][] = [
    ['cgroup', before.cgroups, after.cgroups],
    ['mount', before.mounts, after.mounts],
    ['netns', before.netns, after.netns],
  ];
  for (const [what, b, a] of sets) {
    for (const x of a) if (!b.has(x)) out.push(`${what} added: ${x}`);
    for (const x of b) if (!a.has(x)) out.push(`${what} removed: ${x}`);
  }
  for (const [pid, cmd] of after.processes) if (!before.processes.has(pid)) out.push(`process left: ${pid} ${cmd}`);
  if (before.iptables !== after.iptables) out.push(`host iptables changed:\n${after.iptables}`);
  for (const [p, had] of after.paths) if (before.paths.get(p) !== had) out.push(`path ${p}: ${before.paths.get(p) ? 'existed' : 'absent'} -> ${had ? 'exists' : 'absent'}`);
  return out;
}
