#!/usr/bin/env bash
# Installs actionlint (the GitHub Actions workflow checker) into $HOME/.cache/iperf3-monitor/bin with
# `go install` from the Go module proxy at one exact version. Idempotent: prints the binary's path and
# exits at once when that version is already there (the version is kept next to it in .actionlint.version).
set -euo pipefail

VERSION="v1.7.12"
BIN="${IPERF3_MONITOR_TOOLS:-$HOME/.cache/iperf3-monitor/bin}"

if [[ -x "$BIN/actionlint" && "$(cat "$BIN/.actionlint.version" 2>/dev/null)" == "$VERSION" ]]; then
  echo "$BIN/actionlint"
  exit 0
fi

command -v go >/dev/null || { echo "install-actionlint: Go is needed to build actionlint $VERSION" >&2; exit 1; }
mkdir -p "$BIN"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--p=2}" nice -n 10 \
  go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION" >&2
install -m 0755 "$tmp/actionlint" "$BIN/actionlint.new" && mv -f "$BIN/actionlint.new" "$BIN/actionlint"
echo "$VERSION" >"$BIN/.actionlint.version"
echo "$BIN/actionlint"
