#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, without containers: etcd, kube-apiserver (RBAC, token auth,
# ServiceAccount signing key), kube-controller-manager, kube-scheduler and KWOK as the kubelet of fake nodes
# whose InternalIPs are network-namespace lab nodes (test/k8s/lab.sh).
#
#   rig.sh up [NODE...]     build (cached) + start everything, add the nodes (default: none); prints start time
#   rig.sh down             stop everything, remove lab and state dir
#   rig.sh env              print shell exports (KUBECONFIG, PATH with helm/kubectl)
#   rig.sh node-add NODE... create lab netns + fake Node (InternalIP = lab IP)
#   rig.sh node-del NODE    delete the Node, its pods and its lab netns
#   rig.sh sync-execs       create a KWOK Exec per pod on a fake node: `kubectl exec` runs the command on
#                           this machine with IPERF3_MONITOR_K8S_NETNS=<node's netns>; the `iperf3` first on
#                           KWOK's PATH is a wrapper that runs /usr/bin/iperf3 inside that netns
#
# State: ${IPERF3_MONITOR_K8S_STATE:-${TMPDIR:-/tmp}/iperf3-monitor-k8s} (kubeconfig at $STATE/admin.kubeconfig).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${IPERF3_MONITOR_K8S_STATE:-${TMPDIR:-/tmp}/iperf3-monitor-k8s}"
export IPERF3_MONITOR_K8S_STATE="$STATE"
CACHE="${IPERF3_MONITOR_K8S_CACHE:-$HOME/.cache/iperf3-monitor/k8s}"
BIN="$CACHE/bin"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
NETNS_ENV=IPERF3_MONITOR_K8S_NETNS
# The lab's names are machine-wide (ik8s-*), so there is one rig per machine; this file names its state dir
# so that `up` can tear down a rig left behind by a killed test run.
CURRENT="${IPERF3_MONITOR_K8S_CURRENT:-/run/iperf3-monitor-k8s.current}"

log() { printf '[rig.sh] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
now_ms() { date +%s%3N; }

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

ensure_packages() { # installs the Debian packages of missing commands (fresh machines)
  local -A pkg=([jq]=jq [openssl]=openssl [curl]=curl [ip]=iproute2 [tc]=iproute2 [iperf3]=iperf3
    [setsid]=util-linux [flock]=util-linux [prometheus-pushgateway]=prometheus-pushgateway)
  local c missing=()
  for c in "${!pkg[@]}"; do command -v "$c" >/dev/null || missing+=("${pkg[$c]}"); done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  log "installing missing packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}

start() { # start NAME CMD...: daemon with logs in $STATE/log/NAME.log, pid in $STATE/pids/NAME
  local name="$1"
  shift
  setsid "$@" </dev/null >"$STATE/log/$name.log" 2>&1 &
  echo $! >"$STATE/pids/$name"
}

alive() { [[ -f "$STATE/pids/$1" ]] && kill -0 "$(cat "$STATE/pids/$1")" 2>/dev/null; }

wait_for() { # wait_for WHAT SECONDS CMD...: poll CMD every 0.2s
  local what="$1" secs="$2" deadline
  shift 2
  deadline=$(($(date +%s) + secs))
  until "$@" >/dev/null 2>&1; do
    if [[ -f "$STATE/pids/$what" ]] && ! alive "$what"; then
      log "$what exited; last log lines:"
      tail -n 20 "$STATE/log/$what.log" >&2 || true
      return 1
    fi
    if [[ $(date +%s) -ge $deadline ]]; then
      log "timed out waiting for $what; last log lines:"
      tail -n 20 "$STATE"/log/*.log >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

stop_all() {
  # TERM everything at once, give them 3s together, then KILL (the state is throwaway)
  local names=(kwok kube-scheduler kube-controller-manager kube-apiserver etcd) name pids=()
  for name in "${names[@]}"; do
    [[ -f "$STATE/pids/$name" ]] || continue
    pids+=("$(cat "$STATE/pids/$name")")
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local pid left
  for _ in $(seq 30); do
    left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [[ $left -eq 1 ]] || break
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for name in "${names[@]}"; do rm -f "$STATE/pids/$name"; done
}

write_kubeconfig() { # write_kubeconfig FILE SERVER TOKEN USER
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: rig
  cluster:
    server: $2
    insecure-skip-tls-verify: true
users:
- name: $4
  user:
    token: $3
contexts:
- name: rig
  context: {cluster: rig, user: $4, namespace: default}
current-context: rig
KC
  chmod 600 "$1"
}

cmd_up() {
  local t0 t_built etcd_port etcd_peer api_port cm_port sched_port kwok_port token
  t0=$(now_ms)
  ensure_packages
  "$HERE/build.sh" >/dev/null
  t_built=$(now_ms)
  local prev
  prev="$(cat "$CURRENT" 2>/dev/null || true)"
  if [[ -n "$prev" && "$prev" != "$STATE" && -d "$prev" ]]; then
    log "a rig left behind in $prev (killed run?); tearing it down first"
    IPERF3_MONITOR_K8S_STATE="$prev" "$0" down
  fi
  if [[ -d "$STATE" ]]; then
    log "state dir $STATE exists (stale run?); tearing it down first"
    cmd_down
  fi
  "$HERE/lab.sh" down # leftovers of a crashed run (ik8s-* namespaces and bridge)
  echo "$STATE" >"$CURRENT"
  mkdir -p "$STATE"/{pids,log,pki,etcd,wrap}
  # a failed start stops what it started; the logs stay in $STATE/log until `rig.sh down`
  trap 'log "up failed; stopping (logs in $STATE/log)"; stop_all; "$HERE/lab.sh" down >/dev/null 2>&1 || true' ERR
  chmod 700 "$STATE"

  etcd_port=$(free_port) etcd_peer=$(free_port) api_port=$(free_port)
  cm_port=$(free_port) sched_port=$(free_port) kwok_port=$(free_port)
  token="$(openssl rand -hex 24)"
  echo "$token,admin,admin,system:masters" >"$STATE/pki/tokens.csv"
  openssl genrsa -out "$STATE/pki/sa.key" 2048 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=kwok -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$STATE/pki/kwok.key" -out "$STATE/pki/kwok.crt" 2>/dev/null

  start etcd "$BIN/etcd" --name rig --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "rig=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --secure-port "$api_port" --advertise-address 127.0.0.1 \
    --endpoint-reconciler-type none --cert-dir "$STATE/pki" \
    --token-auth-file "$STATE/pki/tokens.csv" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$STATE/pki/sa.key" --service-account-signing-key-file "$STATE/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/24 --allow-privileged=true \
    --kubelet-preferred-address-types ExternalIP,InternalIP,Hostname
  write_kubeconfig "$KUBECONFIG_FILE" "https://127.0.0.1:$api_port" "$token" admin
  wait_for kube-apiserver 90 curl -fsSk -H "Authorization: Bearer $token" "https://127.0.0.1:$api_port/readyz"

  local auth=(--kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE"
    --authorization-kubeconfig "$KUBECONFIG_FILE" --bind-address 127.0.0.1 --leader-elect=false)
  start kube-controller-manager "$BIN/kube-controller-manager" "${auth[@]}" --secure-port "$cm_port" \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/apiserver.crt" \
    --controllers '*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle'
  start kube-scheduler "$BIN/kube-scheduler" "${auth[@]}" --secure-port "$sched_port"

  # KWOK's Exec resources are read from the API (CRD); install them before KWOK starts.
  kc apply --server-side -f "$CACHE/kwok-crds/$KWOK_VERSION/kwok.x-k8s.io_execs.yaml" >/dev/null
  # default StorageClass served by KWOK's volume stages
  kc apply --server-side -f "$CACHE/kwok-stages/$KWOK_VERSION/volume/fast/storage-class.yaml" >/dev/null
  cat >"$STATE/wrap/iperf3" <<'WRAP'
#!/bin/sh
# kubectl exec into a KWOK pod lands here (KWOK runs exec commands locally); run iperf3 inside the pod's lab node.
if [ -z "${IPERF3_MONITOR_K8S_NETNS:-}" ]; then
  echo "iperf3 wrapper: IPERF3_MONITOR_K8S_NETNS unset (no KWOK Exec for this pod?)" >&2
  exit 127
fi
exec ip netns exec "$IPERF3_MONITOR_K8S_NETNS" /usr/bin/iperf3 "$@"
WRAP
  chmod +x "$STATE/wrap/iperf3"
  # the runner's pods/exec runs `iperf3-bounded … -- iperf3 …` (in the images); here the same program, built for this host
  cp "$("$HERE/../tools/build-bounded-client.sh")" "$STATE/wrap/iperf3-bounded"
  local stages="$CACHE/kwok-stages/$KWOK_VERSION"
  {
    # node + pod lifecycles, and KWOK's fake volume provisioner (PVCs of StorageClass kwok-volume get a PV)
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
      volume/fast/pvc-provision.yaml volume/fast/pv-bind.yaml volume/fast/pv-delete.yaml volume/fast/pvc-delete.yaml; do
      cat "$stages/$f"
      echo "---"
    done
  } >"$STATE/kwok-stages.yaml"
  start kwok env PATH="$STATE/wrap:$PATH" "$BIN/kwok" --config "$STATE/kwok-stages.yaml" \
    --kubeconfig "$KUBECONFIG_FILE" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --server-address "127.0.0.1:$kwok_port" --node-port "$kwok_port" \
    --tls-cert-file "$STATE/pki/kwok.crt" --tls-private-key-file "$STATE/pki/kwok.key" \
    --enable-crds Exec --node-lease-duration-seconds 40

  wait_for kube-controller-manager 60 curl -fsSk "https://127.0.0.1:$cm_port/healthz"
  wait_for kube-scheduler 60 curl -fsSk "https://127.0.0.1:$sched_port/healthz"
  wait_for kwok 60 curl -fsSk "https://127.0.0.1:$kwok_port/healthz"
  wait_for "default ServiceAccount" 60 kc get serviceaccount default -n default

  cat >"$STATE/env" <<ENV
export KUBECONFIG="$KUBECONFIG_FILE"
export PATH="$BIN:\$PATH"
export IPERF3_MONITOR_K8S_STATE="$STATE"
ENV
  local t_up
  t_up=$(now_ms)
  echo "$((t_up - t_built))" >"$STATE/start-ms"
  log "control plane up in $(((t_up - t_built) / 1000)).$(((t_up - t_built) % 1000 / 100))s (build check $(((t_built - t0) / 1000))s); KUBECONFIG=$KUBECONFIG_FILE"
  if [[ $# -gt 0 ]]; then cmd_node_add "$@"; fi
  trap - ERR
}

cmd_node_add() {
  [[ -f "$KUBECONFIG_FILE" ]] || die "rig is not up"
  local line name ip ns
  "$HERE/lab.sh" up "$@" >/dev/null
  for name in "$@"; do
    line="$("$HERE/lab.sh" list | awk -v n="$name" '$1 == n')"
    read -r _ ip ns <<<"$line"
    [[ -n "$ip" ]] || die "lab node $name has no IP"
    kc get node "$name" >/dev/null 2>&1 && continue
    kc create -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    iperf3-monitor.test/netns: $ns
  labels:
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  addresses:
  - {type: InternalIP, address: "$ip"}
  - {type: ExternalIP, address: "127.0.0.1"}
  - {type: Hostname, address: "$name"}
NODE
  done
  for name in "$@"; do
    wait_for "node $name Ready" 60 bash -c "[[ \$('$BIN/kubectl' --kubeconfig '$KUBECONFIG_FILE' get node '$name' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
  done
  kc get nodes -o wide >&2
}

cmd_node_del() {
  local name="$1"
  kc delete node "$name" --ignore-not-found --wait=false >/dev/null
  kc delete pods -A --field-selector "spec.nodeName=$name" --force --grace-period=0 >/dev/null 2>&1 || true
  "$HERE/lab.sh" del "$name"
}

cmd_sync_execs() {
  # Every pod bound to a fake node gets an Exec (same name/namespace) whose env names the node's netns.
  kc get pods -A -o json | jq -c --argjson nodes "$(kc get nodes -o json | jq -c '
      [.items[] | select(.metadata.annotations["kwok.x-k8s.io/node"] == "fake")
       | {key: .metadata.name, value: .metadata.annotations["iperf3-monitor.test/netns"]}] | from_entries')" '
    {apiVersion: "v1", kind: "List", items: [
      .items[] | select(.spec.nodeName != null and $nodes[.spec.nodeName] != null) | {
        apiVersion: "kwok.x-k8s.io/v1alpha1", kind: "Exec",
        metadata: {name: .metadata.name, namespace: .metadata.namespace},
        spec: {execs: [{local: {envs: [
          {name: "'"$NETNS_ENV"'", value: $nodes[.spec.nodeName]},
          {name: "IPERF3_MONITOR_K8S_NODE", value: .spec.nodeName}]}}]}}]}' |
    kc apply --server-side --force-conflicts -f - >&2
}

cmd_down() {
  stop_all
  "$HERE/lab.sh" down || true
  rm -rf "$STATE"
  [[ "$(cat "$CURRENT" 2>/dev/null)" != "$STATE" ]] || rm -f "$CURRENT"
  log "down"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  env) cat "$STATE/env" ;;
  node-add) shift; cmd_node_add "$@" ;;
  node-del) [[ $# -eq 2 ]] || die "usage: rig.sh node-del NODE"; cmd_node_del "$2" ;;
  sync-execs) cmd_sync_execs ;;
  status)
    for n in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
      if alive "$n"; then echo "$n running"; else echo "$n stopped"; fi
    done
    ;;
  *) die "usage: rig.sh up [NODE...] | down | env | status | node-add NODE... | node-del NODE | sync-execs" ;;
esac
