#!/usr/bin/env bash
# One real Kubernetes node of the rig: containerd (Debian's 1.6) + runc, a kubelet and kube-proxy, all in the
# node's lab network namespace and in one private mount namespace of their own, sharing nothing with the other
# nodes (containerd root/state/socket, kubelet root dir, pod logs, CNI config and IPAM, cgroup root).
#
#   node.sh prepare NAME INDEX IP API_URL TOKEN PROXY_TOKEN  write the node's configs under $STATE/nodes/NAME
#   node.sh start NAME        create its cgroup roots, start the daemons (rig.sh calls it; returns at once)
#   node.sh stop NAME         kill everything of the node (containers, shims, daemons), remove its cgroups
#   node.sh inside NAME       (internal) the node's supervisor, run by `start` inside the namespaces
#
# Not `ip netns exec`: it remounts /sys (hiding /sys/fs/cgroup) and gives each call its own mount namespace,
# so containerd would not see the kubelet's volume mounts. Instead one
# `nsenter --net=/run/netns/ik8s-NAME unshare -m --propagation slave` per node, shared by its daemons.
# Inside, private tmpfs mounts over /run, /var/lib and /var/log keep every fixed path the daemons use
# (/run/containerd/s, /run/xtables.lock, /var/lib/cni, /var/log/containers ...) off the host, and the
# host-global sysctls the kubelet insists on setting are files bind-mounted over /proc/sys/... .
set -euo pipefail

STATE="${IPERF3_MONITOR_K8S_STATE:?IPERF3_MONITOR_K8S_STATE unset}"
CACHE="${IPERF3_MONITOR_K8S_CACHE:-$HOME/.cache/iperf3-monitor/k8s}"
BIN="$CACHE/bin"
PAUSE_IMAGE="registry.k8s.io/pause:${PAUSE_VERSION:-3.10.2}"
POD_NET=10.244       # node i gets 10.244.i.0/24
CLUSTER_DNS=10.231.0.1
# The sysctls a kubelet sets on start (host-global, not per network namespace) and the values it wants.
KUBELET_SYSCTLS=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000)

log() { printf '[node.sh] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# cgroup v1 hierarchies (and the v2 one of a hybrid setup), each once
hierarchies() {
  local d
  for d in /sys/fs/cgroup/*/; do
    [[ -f "$d/cgroup.procs" ]] && realpath "$d"
  done | sort -u
}

cmd_prepare() {
  local name="$1" i="$2" ip="$3" api="$4" token="$5" ptoken="$6"
  local n="$STATE/nodes/$name"
  mkdir -p "$n"/{containerd,run,kubelet,pod-logs,cni/net.d,cni/ipam,sysctl}
  echo "$i $ip" >"$n/index"
  cat >"$n/containerd.toml" <<EOF
version = 2
root = "$n/containerd"
state = "$n/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$n/run/containerd.sock"
[ttrpc]
  address = "$n/run/containerd.sock.ttrpc"
[debug]
  level = "warn"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$n/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # no CAP_SYS_RESOURCE in this VM: runc cannot lower oom_score_adj below its own
  restrict_oom_score_adj = true
  # pod network namespaces under the state dir, not /run/netns (no empty cni-* entries left on the host)
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$n/cni/net.d"
    max_conf_num = 1
  # registries of the rig's tests (test/release): one host:port/hosts.toml per registry, e.g. plain http;
  # containerd reads the directory at every pull, so a test may add one while the node runs
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$STATE/registry-hosts"
EOF
  cat >"$n/cni/net.d/10-ik8s.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "ik8s",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$n/cni/ipam",
        "ranges": [[{"subnet": "$POD_NET.$i.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF
  local kc
  for kc in kubelet:"$token" kube-proxy:"$ptoken"; do
    cat >"$n/${kc%%:*}.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: rig, cluster: {server: "$api", insecure-skip-tls-verify: true}}]
users: [{name: ${kc%%:*}, user: {token: "${kc#*:}"}}]
contexts: [{name: rig, context: {cluster: rig, user: ${kc%%:*}}}]
current-context: rig
EOF
    chmod 600 "$n/${kc%%:*}.kubeconfig"
  done
  echo "nameserver $CLUSTER_DNS" >"$n/resolv.conf"
  cat >"$n/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$STATE/pki/ca.crt"}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$n/run/containerd.sock
cgroupDriver: cgroupfs
# several kubelets on one host: each its own cgroup root, or they garbage-collect each other's pod cgroups
cgroupRoot: /ik8s-$name
failCgroupV1: false
failSwapOn: false
# no CAP_SYS_RESOURCE here: the kubelet cannot lower its own oom_score_adj
oomScoreAdj: 0
podLogsDir: $n/pod-logs
clusterDNS: [$CLUSTER_DNS]
clusterDomain: cluster.local
resolvConf: $n/resolv.conf
# the images are imported, never pulled: no garbage collection, no eviction on a shared disk
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
rotateCertificates: false
serializeImagePulls: false
maxPods: 50
EOF
  cat >"$n/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$n/kube-proxy.kubeconfig"}
hostnameOverride: $name
mode: iptables
# pods on one bridge: SNAT every service connection, so replies come back through this node's NAT
masqueradeAll: true
clusterCIDR: $POD_NET.0.0/16
oomScoreAdj: 0
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$ip/32"]
iptables: {localhostNodePorts: false}
# 0: leave the host-global conntrack table size and timeouts alone
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
EOF
  local kv f
  for kv in "${KUBELET_SYSCTLS[@]}"; do
    f="$n/sysctl/${kv%%=*}"
    mkdir -p "$(dirname "$f")" && echo "${kv#*=}" >"$f"
  done
}

cmd_start() {
  local name="$1" n="$STATE/nodes/$1" h
  [[ -f "$n/index" ]] || die "node $name is not prepared"
  for h in $(hierarchies); do
    mkdir -p "$h/ik8s-$name"
    if [[ -f "$h/cpuset.cpus" ]]; then
      cat "$h/cpuset.cpus" >"$h/ik8s-$name/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h/ik8s-$name/cpuset.mems"
    fi
  done
  setsid nsenter --net="/run/netns/ik8s-$name" unshare -m --propagation slave -- "$0" inside "$name" \
    </dev/null >"$n/node.log" 2>&1 &
  echo $! >"$n/pid"
}

cmd_inside() { # the node's supervisor, in the node's network and (private) mount namespace
  local name="$1" n="$STATE/nodes/$1" kv img i ip
  read -r i ip <"$n/index"
  mount -t tmpfs -o mode=0755 ik8s-run /run
  mount -t tmpfs -o mode=0755 ik8s-varlib /var/lib
  mount -t tmpfs -o mode=0755 ik8s-varlog /var/log
  for kv in "${KUBELET_SYSCTLS[@]}"; do mount --bind "$n/sysctl/${kv%%=*}" "/proc/sys/${kv%%=*}"; done
  echo 1 >/proc/sys/net/ipv4/ip_forward # this network namespace's, not the host's
  readlink /proc/self/ns/mnt >"$n/mntns"
  local pids=()
  trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; exit 0' TERM INT
  containerd --config "$n/containerd.toml" >"$n/containerd.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [[ -S "$n/run/containerd.sock" ]] && break; sleep 0.1; done
  [[ -S "$n/run/containerd.sock" ]] || die "containerd of $name did not start"
  while read -r img; do
    [[ -n "$img" ]] || continue
    ctr -a "$n/run/containerd.sock" -n k8s.io images import "$img" >>"$n/import.log" 2>&1 ||
      die "ctr images import $img failed on $name: $(tail -n 3 "$n/import.log")"
  done <"$STATE/images.list"
  touch "$n/imported"
  "$BIN/kubelet" --config "$n/kubelet.yaml" --kubeconfig "$n/kubelet.kubeconfig" --root-dir "$n/kubelet" \
    --hostname-override "$name" --node-ip "$ip" --v=1 >"$n/kubelet.log" 2>&1 &
  pids+=($!)
  "$BIN/kube-proxy" --config "$n/kube-proxy.yaml" --v=1 >"$n/kube-proxy.log" 2>&1 &
  pids+=($!)
  wait
}

cmd_stop() {
  local name="$1" n="$STATE/nodes/$1" h mntns pid p
  # 1. the node's containers (all in cgroups under its root), 2. whatever runs in its mount namespace
  #    (daemons, shims), until nothing is left; then its cgroups, bottom up
  mntns="$(cat "$n/mntns" 2>/dev/null || true)"
  for _ in $(seq 50); do
    local left=()
    for h in $(hierarchies); do
      [[ -d "$h/ik8s-$name" ]] || continue
      while read -r p; do left+=("$p"); done < <(find "$h/ik8s-$name" -name cgroup.procs -exec cat {} + 2>/dev/null)
    done
    if [[ -n "$mntns" ]]; then
      for p in /proc/[0-9]*; do
        [[ "$(readlink "$p/ns/mnt" 2>/dev/null)" == "$mntns" ]] && left+=("${p#/proc/}")
      done
    fi
    pid="$(cat "$n/pid" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && left+=("$pid")
    [[ ${#left[@]} -gt 0 ]] || break
    kill -KILL "${left[@]}" 2>/dev/null || true
    sleep 0.1
  done
  for h in $(hierarchies); do
    [[ -d "$h/ik8s-$name" ]] || continue
    find "$h/ik8s-$name" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ ! -d "$h/ik8s-$name" ]] || log "cgroup $h/ik8s-$name could not be removed"
  done
  rm -f "$n/pid"
}

case "${1:-}" in
  prepare) [[ $# -eq 7 ]] || die "usage: node.sh prepare NAME INDEX IP API_URL TOKEN PROXY_TOKEN"; shift; cmd_prepare "$@" ;;
  start) [[ $# -eq 2 ]] || die "usage: node.sh start NAME"; cmd_start "$2" ;;
  inside) cmd_inside "$2" ;;
  stop) [[ $# -eq 2 ]] || die "usage: node.sh stop NAME"; cmd_stop "$2" ;;
  *) die "usage: node.sh prepare NAME INDEX IP API_URL TOKEN PROXY_TOKEN | start NAME | stop NAME" ;;
esac
