#!/usr/bin/env bash
# A tiny throwaway network-namespace lab for the Kubernetes rig (until/unless the runner's own
# `iperf3-monitor lab up` is used): one netns per node on a private bridge, an `iperf3 -s` in each.
# Traffic stays inside these namespaces. Names/addresses are distinct from the runner's own lab.
#   lab.sh up NODE...     create netns ik8s-NODE (10.231.0.(10+i)/24 on bridge ik8s-br0), start iperf3 -s
#   lab.sh del NODE       remove one node (its iperf3 server and netns)
#   lab.sh stop NODE      stop the node's iperf3 server (the node stays); lab.sh start NODE restarts it
#   lab.sh down           remove everything
#   lab.sh list           print "NODE IP NETNS" lines
# Env: IPERF3_MONITOR_K8S_STATE (default ${TMPDIR:-/tmp}/iperf3-monitor-k8s), LAB_PORT (default 5201),
#      LAB_RATE (htb egress rate per node, default 200mbit, so bandwidths are stable; "off" = unshaped),
#      LAB_SERVER ("off": no iperf3 server in the nodes, e.g. real kubelet nodes whose DaemonSet runs it),
#      LAB_HOST_IP (an address for this host on the bridge, e.g. 10.231.0.1, for an API server the nodes reach).
set -euo pipefail

STATE="${IPERF3_MONITOR_K8S_STATE:-${TMPDIR:-/tmp}/iperf3-monitor-k8s}"
LAB="$STATE/lab"
BR=ik8s-br0
PREFIX=ik8s-
SUBNET=10.231.0
PORT="${LAB_PORT:-5201}"
RATE="${LAB_RATE:-200mbit}"
SERVER="${LAB_SERVER:-on}"
HOST_IP="${LAB_HOST_IP:-}"

die() { echo "lab.sh: $*" >&2; exit 1; }

node_up() { # node_up NAME INDEX
  local name="$1" i="$2" ns="$PREFIX$1" ip="$SUBNET.$((10 + $2))"
  local host="ik8s${i}h" peer="ik8s${i}n"
  [[ "$name" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ && ${#ns} -le 40 ]] || die "bad node name: $name"
  ip netns add "$ns"
  ip link del "$host" 2>/dev/null || true # left by a namespace the kernel has not freed yet (see `down`)
  ip link add "$host" type veth peer name "$peer"
  ip link set "$host" master "$BR" up
  ip link set "$peer" netns "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "$peer" name eth0
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  if [[ "$RATE" != off ]]; then
    ip netns exec "$ns" tc qdisc add dev eth0 root handle 1: htb default 10
    ip netns exec "$ns" tc class add dev eth0 parent 1: classid 1:10 htb rate "$RATE" quantum 60000
  fi
  [[ "$SERVER" == off ]] || server_start "$name"
  echo "$name $ip $ns $i" >>"$LAB/nodes"
}

server_start() { ip netns exec "$PREFIX$1" /usr/bin/iperf3 -s -p "$PORT" -D -I "$LAB/$1.pid" --logfile "$LAB/$1.log"; }

server_stop() {
  local pid
  [[ -f "$LAB/$1.pid" ]] || return 0
  pid="$(cat "$LAB/$1.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$LAB/$1.pid"
}

node_del() { # node_del NAME
  local name="$1" line
  line="$(awk -v n="$name" '$1 == n' "$LAB/nodes" 2>/dev/null || true)"
  [[ -n "$line" ]] || return 0
  server_stop "$name"
  ip netns del "$PREFIX$name" 2>/dev/null || true # deleting the netns removes its veth pair
  awk -v n="$name" '$1 != n' "$LAB/nodes" >"$LAB/nodes.new" && mv "$LAB/nodes.new" "$LAB/nodes"
}

case "${1:-}" in
  up)
    shift
    [[ $# -gt 0 ]] || set -- node-a node-b node-c
    mkdir -p "$LAB"
    ip link show "$BR" >/dev/null 2>&1 || { ip link add "$BR" type bridge && ip link set "$BR" up; }
    if [[ -n "$HOST_IP" ]] && ! ip -o addr show dev "$BR" | grep -q " $HOST_IP/"; then ip addr add "$HOST_IP/24" dev "$BR"; fi
    touch "$LAB/nodes"
    # indices (and so IPs) are never reused: a re-added node must not inherit stale ARP entries of a
    # deleted one (its peers would send to the old MAC until the neighbor entry expires)
    next=$(cat "$LAB/next" 2>/dev/null || echo 1)
    for n in "$@"; do
      if awk -v n="$n" '$1 == n {f=1} END{exit !f}' "$LAB/nodes"; then continue; fi
      [[ $next -le 240 ]] || die "lab address space exhausted"
      node_up "$n" "$next"
      next=$((next + 1))
      echo "$next" >"$LAB/next"
    done
    # wait until every server listens
    [[ "$SERVER" == off ]] || while read -r n _ ns _; do
      for _ in $(seq 50); do
        ip netns exec "$ns" ss -Hltn "sport = :$PORT" | grep -q . && break
        sleep 0.1
      done
      ip netns exec "$ns" ss -Hltn "sport = :$PORT" | grep -q . || die "iperf3 server of $n not listening"
    done <"$LAB/nodes"
    cut -d' ' -f1-3 "$LAB/nodes"
    ;;
  del)
    [[ $# -eq 2 ]] || die "usage: lab.sh del NODE"
    node_del "$2"
    ;;
  stop)
    [[ $# -eq 2 ]] || die "usage: lab.sh stop NODE"
    server_stop "$2"
    ;;
  start)
    [[ $# -eq 2 ]] || die "usage: lab.sh start NODE"
    [[ -f "$LAB/$2.pid" ]] || server_start "$2"
    for _ in $(seq 50); do
      ip netns exec "$PREFIX$2" ss -Hltn "sport = :$PORT" | grep -q . && break
      sleep 0.1
    done
    ;;
  down)
    if [[ -f "$LAB/nodes" ]]; then
      mapfile -t names < <(cut -d' ' -f1 "$LAB/nodes")
      for n in "${names[@]}"; do node_del "$n"; done
    fi
    # leftovers from a crashed run
    mapfile -t left < <(ip netns list | awk -v p="$PREFIX" 'index($1, p) == 1 {print $1}')
    for ns in "${left[@]}"; do ip netns del "$ns" || true; done
    ip link del "$BR" 2>/dev/null || true
    # a deleted namespace lives on while a socket in it lingers (e.g. an orphaned TCP connection
    # retransmitting); its veth's host end would stay behind: delete those pairs from this side
    mapfile -t links < <(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^ik8s[0-9]+h$' || true)
    for l in "${links[@]}"; do ip link del "$l" 2>/dev/null || true; done
    rm -rf "$LAB"
    rmdir "$STATE" 2>/dev/null || true # when the lab was used on its own
    ;;
  list)
    [[ -f "$LAB/nodes" ]] && cut -d' ' -f1-3 "$LAB/nodes"
    ;;
  *)
    die "usage: lab.sh up [NODE...] | del NODE | stop NODE | start NODE | down | list"
    ;;
esac
