#!/usr/bin/env bash
# Installs one Go command at an exact version into $HOME/.cache/iperf3-monitor/bin with `go install`
# (through the Go module proxy), named NAME-VERSION so that a version change reinstalls. Idempotent;
# prints the binary's path. Usage: install-go-tool.sh NAME MODULE/PATH/TO/CMD VERSION
set -euo pipefail

NAME="$1" PKG="$2" VERSION="$3"
BIN="${IPERF3_MONITOR_TOOLS:-$HOME/.cache/iperf3-monitor/bin}"
OUT="$BIN/$NAME-$VERSION"

if [[ -x "$OUT" ]]; then
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null || { echo "install-go-tool: go is not on PATH (needed for $PKG@$VERSION)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# A module-aware install outside any module; CGO off gives a static binary.
(cd "$tmp" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$tmp/bin" go install "$PKG@$VERSION") >&2 \
  || { echo "install-go-tool: go install $PKG@$VERSION failed" >&2; exit 1; }
mkdir -p "$BIN"
install -m 0755 "$tmp/bin/$(basename "$PKG")" "$OUT.new" && mv -f "$OUT.new" "$OUT"
echo "$OUT"
