#!/usr/bin/env bash
# Installs one Go command at an exact version into $HOME/.cache/iperf3-monitor/bin, built from the Go module
# proxy, named NAME-VERSION so that a version change reinstalls. Idempotent; prints the binary's path.
# Usage: install-go-tool.sh NAME MODULE[/PATH/TO/CMD] VERSION [MODULE-PATH]
# It builds inside a throwaway module (`go get` then `go build`) rather than with `go install pkg@version`,
# which also asks the proxy for the module's version list and fails where the proxy refuses to list it.
set -euo pipefail

NAME="$1" PKG="$2" VERSION="$3" MOD="${4:-$2}"
BIN="${IPERF3_MONITOR_TOOLS:-$HOME/.cache/iperf3-monitor/bin}"
OUT="$BIN/$NAME-$VERSION"

if [[ -x "$OUT" ]]; then
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null || { echo "install-go-tool: go is not on PATH (needed for $PKG@$VERSION)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
  cd "$tmp"
  go mod init iperf3-monitor-tools >/dev/null 2>&1
  GOFLAGS=-mod=mod go get "$MOD@$VERSION"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$tmp/out" "$PKG"
) >&2 || { echo "install-go-tool: building $PKG at $MOD@$VERSION failed" >&2; exit 1; }
mkdir -p "$BIN"
install -m 0755 "$tmp/out" "$OUT.new" && mv -f "$OUT.new" "$OUT"
echo "$OUT"
