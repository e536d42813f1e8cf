#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, without containers: etcd, kube-apiserver (RBAC, token auth,
# ServiceAccount signing key), kube-controller-manager, kube-scheduler and KWOK as the kubelet of fake nodes
# whose InternalIPs are network-namespace lab nodes (test/k8s/lab.sh).
#
#   rig.sh up [NODE...]     build (cached) + start everything, add the nodes (default: none); prints start time
#   rig.sh up-real [NODE...] the control plane on the lab bridge (10.231.0.1), CoreDNS, and real nodes
#                           (default node-a node-b node-c): containerd + runc, kubelet, kube-proxy, bridge CNI
#                           per node in its lab netns (test/k8s/node.sh), holding the images of images_list
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
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${IPERF3_MONITOR_K8S_STATE:-${TMPDIR:-/tmp}/iperf3-monitor-k8s}"
export IPERF3_MONITOR_K8S_STATE="$STATE"
CACHE="${IPERF3_MONITOR_K8S_CACHE:-$HOME/.cache/iperf3-monitor/k8s}"
BIN="$CACHE/bin"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
API_ADDR=10.231.0.1 # the lab bridge's address on this host: the real nodes reach the API server there
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

ensure_packages() { # installs the Debian packages of missing commands (fresh machines); "real": node runtime too
  local -A pkg=([jq]=jq [openssl]=openssl [curl]=curl [ip]=iproute2 [tc]=iproute2 [iperf3]=iperf3
    [setsid]=util-linux [flock]=util-linux [prometheus-pushgateway]=prometheus-pushgateway)
  if [[ "${1:-}" == real ]]; then
    pkg+=([containerd]=containerd [ctr]=containerd [runc]=runc [iptables]=iptables [conntrack]=conntrack
      [nsenter]=util-linux [unshare]=util-linux [gcc]=gcc)
  fi
  local c missing=()
  for c in "${!pkg[@]}"; do command -v "$c" >/dev/null || missing+=("${pkg[$c]}"); done
  [[ "${1:-}" != real || -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
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
  # real nodes first (their containers, shims and daemons, then their cgroups)
  local n
  for n in "$STATE"/nodes/*/; do
    [[ -d "$n" ]] && "$HERE/node.sh" stop "$(basename "$n")"
  done
  # TERM everything else at once, give them 3s together, then KILL (the state is throwaway)
  local names=(coredns kwok kube-scheduler kube-controller-manager kube-apiserver etcd) name pids=()
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

# prepare_up: packages, binaries, a clean slate (a rig left behind by a killed run is torn down first)
prepare_up() {
  ensure_packages "$@"
  "$HERE/build.sh" >/dev/null
  T_BUILT=$(now_ms)
  # One rig per machine (the lab's names are fixed). A rig whose owner (the test process that started it,
  # IPERF3_MONITOR_K8S_OWNER) still runs is waited for; one whose owner is gone was left behind by a killed
  # run and is torn down; one started by hand (no owner) whose API server runs is an error.
  local prev owner waited=0
  exec 8</run
  while :; do
    flock 8
    prev="$(cat "$CURRENT" 2>/dev/null || true)"
    [[ -n "$prev" && "$prev" != "$STATE" && -d "$prev" ]] || break
    owner="$(cat "$prev/owner" 2>/dev/null || true)"
    if [[ -n "$owner" ]] && kill -0 "$owner" 2>/dev/null; then
      flock -u 8
      [[ $waited -lt ${IPERF3_MONITOR_K8S_WAIT:-1800} ]] || die "the rig in $prev (owner pid $owner) is still up after ${waited}s"
      [[ $((waited % 60)) -ne 0 ]] || log "another rig is up ($prev, owner pid $owner); waiting for it"
      sleep 2
      waited=$((waited + 2))
      continue
    fi
    if [[ -z "$owner" && -f "$prev/pids/kube-apiserver" ]] && kill -0 "$(cat "$prev/pids/kube-apiserver")" 2>/dev/null; then
      die "a rig started by hand is up in $prev: IPERF3_MONITOR_K8S_STATE=$prev $0 down"
    fi
    log "a rig left behind in $prev (killed run?); tearing it down first"
    IPERF3_MONITOR_K8S_STATE="$prev" "$0" down
    break
  done
  if [[ -d "$STATE" ]]; then
    log "state dir $STATE exists (stale run?); tearing it down first"
    cmd_down
  fi
  "$HERE/lab.sh" down # leftovers of a crashed run (ik8s-* namespaces and bridge)
  mkdir -p "$STATE"/{pids,log,pki,etcd,wrap}
  [[ -z "${IPERF3_MONITOR_K8S_OWNER:-}" ]] || echo "$IPERF3_MONITOR_K8S_OWNER" >"$STATE/owner"
  echo "$STATE" >"$CURRENT"
  flock -u 8
  T_BUILT=$(now_ms) # the start time counts from here (not the build check, not the wait for another rig)
  # `ip netns add` creates /run/netns as a shared bind mount of itself; `down` undoes that when it made it
  [[ -e /run/netns ]] || touch "$STATE/made-run-netns"
  # a failed start stops what it started; the logs stay in $STATE/log until `rig.sh down`
  trap 'log "up failed; stopping (logs in $STATE/log)"; stop_all; "$HERE/lab.sh" down >/dev/null 2>&1 || true' ERR
  chmod 700 "$STATE"
  openssl genrsa -out "$STATE/pki/sa.key" 2048 2>/dev/null
  ADMIN_TOKEN="$(openssl rand -hex 24)"
  echo "$ADMIN_TOKEN,admin,admin,system:masters" >"$STATE/pki/tokens.csv"
}

# start_control_plane ADDRESS [real]: etcd on loopback, the API server on ADDRESS, controller-manager and
# scheduler. "real": the API server reaches kubelets with a client certificate and keeps the `kubernetes`
# Service's endpoints (pods reach it at ADDRESS).
start_control_plane() {
  local addr="$1" real="${2:-}" etcd_port etcd_peer cm_port sched_port
  etcd_port=$(free_port) etcd_peer=$(free_port) API_PORT=$(free_port)
  cm_port=$(free_port) sched_port=$(free_port)
  start etcd "$BIN/etcd" --name rig --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "rig=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"

  local extra=(--endpoint-reconciler-type none --kubelet-preferred-address-types "ExternalIP,InternalIP,Hostname")
  if [[ -n "$real" ]]; then
    extra=(--kubelet-preferred-address-types InternalIP --enable-admission-plugins NodeRestriction
      --kubelet-client-certificate "$STATE/pki/kubelet-client.crt" --kubelet-client-key "$STATE/pki/kubelet-client.key")
  fi
  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "$addr" --secure-port "$API_PORT" --advertise-address "$addr" \
    --cert-dir "$STATE/pki" \
    --token-auth-file "$STATE/pki/tokens.csv" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$STATE/pki/sa.key" --service-account-signing-key-file "$STATE/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/24 --allow-privileged=true "${extra[@]}"
  write_kubeconfig "$KUBECONFIG_FILE" "https://$addr:$API_PORT" "$ADMIN_TOKEN" admin
  wait_for kube-apiserver 90 curl -fsSk -H "Authorization: Bearer $ADMIN_TOKEN" "https://$addr:$API_PORT/readyz"

  local auth=(--kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE"
    --authorization-kubeconfig "$KUBECONFIG_FILE" --bind-address 127.0.0.1 --leader-elect=false
    --kube-api-qps 300 --kube-api-burst 600) # 1000-node tests: the defaults (20-50 QPS) take minutes
  start kube-controller-manager "$BIN/kube-controller-manager" "${auth[@]}" --secure-port "$cm_port" \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/apiserver.crt" \
    --controllers '*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle'
  start kube-scheduler "$BIN/kube-scheduler" "${auth[@]}" --secure-port "$sched_port"
  wait_for kube-controller-manager 60 curl -fsSk "https://127.0.0.1:$cm_port/healthz"
  wait_for kube-scheduler 60 curl -fsSk "https://127.0.0.1:$sched_port/healthz"
  wait_for "default ServiceAccount" 60 kc get serviceaccount default -n default
}

finish_up() {
  cat >"$STATE/env" <<ENV
export KUBECONFIG="$KUBECONFIG_FILE"
export PATH="$BIN:\$PATH"
export IPERF3_MONITOR_K8S_STATE="$STATE"
ENV
  local t_up
  t_up=$(now_ms)
  echo "$((t_up - T_BUILT))" >"$STATE/start-ms"
  log "$1 up in $(((t_up - T_BUILT) / 1000)).$(((t_up - T_BUILT) % 1000 / 100))s; KUBECONFIG=$KUBECONFIG_FILE"
}

cmd_up() {
  local kwok_port
  prepare_up
  start_control_plane 127.0.0.1
  kwok_port=$(free_port)
  openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=kwok -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$STATE/pki/kwok.key" -out "$STATE/pki/kwok.crt" 2>/dev/null

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
  wait_for kwok 60 curl -fsSk "https://127.0.0.1:$kwok_port/healthz"
  finish_up "control plane"
  if [[ $# -gt 0 ]]; then cmd_node_add "$@"; fi
  trap - ERR
}

# The images every real node holds: the pause image, the Pushgateway stand-in, the archives of
# `npm run image` (dist/image/*.tar) and any in IPERF3_MONITOR_K8S_IMAGES (space-separated paths).
images_list() {
  local f
  echo "$CACHE/images/pause.tar"
  echo "$CACHE/images/pushgateway.tar"
  for f in "$REPO"/dist/image/*.tar ${IPERF3_MONITOR_K8S_IMAGES:-}; do [[ -f "$f" ]] && echo "$f"; done
  return 0
}

cmd_up_real() {
  [[ $# -gt 0 ]] || set -- node-a node-b node-c
  local name i ip ns line ptoken
  prepare_up real
  LAB_SERVER=off LAB_HOST_IP="$API_ADDR" "$HERE/lab.sh" up "$@" >/dev/null
  # node identities (token auth: system:node:<name> in system:nodes, for the Node authorizer) and kube-proxy's
  for name in "$@"; do echo "$(openssl rand -hex 24),system:node:$name,node-$name,system:nodes" >>"$STATE/pki/tokens.csv"; done
  ptoken="$(openssl rand -hex 24)"
  echo "$ptoken,system:kube-proxy,kube-proxy" >>"$STATE/pki/tokens.csv"
  # the API server's client certificate towards the kubelets, and the CA the kubelets trust for it
  openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=ik8s-kubelet-client-ca \
    -keyout "$STATE/pki/ca.key" -out "$STATE/pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout "$STATE/pki/kubelet-client.key" -out "$STATE/pki/kubelet-client.csr" 2>/dev/null
  openssl x509 -req -in "$STATE/pki/kubelet-client.csr" -CA "$STATE/pki/ca.crt" -CAkey "$STATE/pki/ca.key" \
    -CAcreateserial -days 3 -out "$STATE/pki/kubelet-client.crt" 2>/dev/null
  start_control_plane "$API_ADDR" real
  # cluster DNS on the bridge address (the kubelets' clusterDNS)
  cat >"$STATE/Corefile" <<CORE
.:53 {
    bind $API_ADDR
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $KUBECONFIG_FILE rig
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
CORE
  start coredns "$BIN/coredns" -conf "$STATE/Corefile"
  images_list >"$STATE/images.list"
  mkdir -p "$STATE/nodes"
  local nodes=()
  while read -r name ip ns i; do
    nodes+=("$name $ip $i")
    "$HERE/node.sh" prepare "$name" "$i" "$ip" "https://$API_ADDR:$API_PORT" \
      "$(awk -F, -v u="system:node:$name" '$2 == u {print $1}' "$STATE/pki/tokens.csv")" "$ptoken"
  done <"$STATE/lab/nodes"
  # pod network: every node (and this host, for the API server and the tests) routes each pod CIDR to its node
  for line in "${nodes[@]}"; do
    read -r name ip i <<<"$line"
    ip route add "10.244.$i.0/24" via "$ip" dev ik8s-br0
    # the node's own connections to ClusterIPs (hostNetwork pods): a route, so that kube-proxy's DNAT applies
    ip -n "ik8s-$name" route add 10.96.0.0/24 dev eth0
    local other
    for other in "${nodes[@]}"; do
      read -r _ oip oi <<<"$other"
      [[ "$oi" == "$i" ]] || ip -n "ik8s-$name" route add "10.244.$oi.0/24" via "$oip"
    done
  done
  wait_for coredns 30 bash -c "exec 3<>/dev/tcp/$API_ADDR/53"
  for line in "${nodes[@]}"; do "$HERE/node.sh" start "${line%% *}"; done
  for name in "$@"; do
    wait_for "node $name Ready" 120 bash -c "[[ \$('$BIN/kubectl' --kubeconfig '$KUBECONFIG_FILE' get node '$name' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
  done
  finish_up "real-node cluster ($*)"
  kc get nodes -o wide >&2
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
  if [[ -f "$STATE/made-run-netns" && -d /run/netns && -z "$(ls -A /run/netns)" ]]; then
    while mountpoint -q /run/netns; do umount /run/netns || break; done
    rmdir /run/netns 2>/dev/null || true
  fi
  rm -rf "$STATE"
  [[ "$(cat "$CURRENT" 2>/dev/null)" != "$STATE" ]] || rm -f "$CURRENT"
  log "down"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  up-real) shift; cmd_up_real "$@" ;;
  down) cmd_down ;;
  env) cat "$STATE/env" ;;
  node-add) shift; cmd_node_add "$@" ;;
  node-del) [[ $# -eq 2 ]] || die "usage: rig.sh node-del NODE"; cmd_node_del "$2" ;;
  sync-execs) cmd_sync_execs ;;
  status)
    for n in etcd kube-apiserver kube-controller-manager kube-scheduler kwok coredns; do
      if alive "$n"; then echo "$n running"; else echo "$n stopped"; fi
    done
    ;;
  *) die "usage: rig.sh up [NODE...] | up-real [NODE...] | down | env | status | node-add NODE... | node-del NODE | sync-execs" ;;
esac
