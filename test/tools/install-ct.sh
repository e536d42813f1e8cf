#!/usr/bin/env bash
# Installs chart-testing's `ct` (Go module proxy, exact version) and the two Python tools `ct lint` calls,
# yamllint and yamale (PyPI, exact versions, own virtualenv). Prints two lines: the ct path and the
# directory holding yamllint and yamale (put it first on PATH when running ct).
set -euo pipefail
here="$(dirname "$0")"
# The checksum database reachable here answers 404 for github.com/helm/chart-testing/v3@v3.13.0, so that one
# module is taken on the proxy's word (its dependencies are still checked against the database).
ct="$(GONOSUMDB=github.com/helm/chart-testing bash "$here/install-go-tool.sh" ct github.com/helm/chart-testing/v3/ct v3.13.0 github.com/helm/chart-testing/v3)"
py="$(bash "$here/install-pip-tool.sh" chart-testing yamllint==1.38.0 yamale==6.1.0)"
echo "$ct"
echo "$py"
