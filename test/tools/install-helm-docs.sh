#!/usr/bin/env bash
# Installs helm-docs (Go module proxy, exact version) into $HOME/.cache/iperf3-monitor/bin. Prints its path.
set -euo pipefail
bash "$(dirname "$0")/install-go-tool.sh" helm-docs github.com/norwoodj/helm-docs/cmd/helm-docs v1.14.2 github.com/norwoodj/helm-docs
