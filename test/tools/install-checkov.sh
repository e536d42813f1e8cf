#!/usr/bin/env bash
# Installs checkov (the Kubernetes manifest checks that kube-linter would run; kube-linter's binaries are not
# served by the registries reachable here) from PyPI into its own virtualenv. Prints the checkov path.
set -euo pipefail
bin="$(bash "$(dirname "$0")/install-pip-tool.sh" checkov checkov==3.3.30)"
echo "$bin/checkov"
