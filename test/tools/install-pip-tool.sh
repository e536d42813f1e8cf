#!/usr/bin/env bash
# Installs Python command-line tools at exact versions into their own virtualenv under
# $HOME/.cache/iperf3-monitor/venv/NAME (from PyPI with pip), so the system Python stays untouched.
# Idempotent: a marker file records the requirements that were installed. Prints the venv's bin directory.
# Usage: install-pip-tool.sh NAME REQUIREMENT...   (e.g. install-pip-tool.sh checkov checkov==3.3.30)
set -euo pipefail

NAME="$1"; shift
VENV="${IPERF3_MONITOR_CACHE:-$HOME/.cache/iperf3-monitor}/venv/$NAME"
WANT="$*"

if [[ -f "$VENV/.installed" && "$(cat "$VENV/.installed")" == "$WANT" ]]; then
  echo "$VENV/bin"
  exit 0
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get install -y -q python3-venv >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
fi
rm -rf "$VENV"
python3 -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2 \
  || { echo "install-pip-tool: pip install $WANT failed" >&2; exit 1; }
echo "$WANT" > "$VENV/.installed"
echo "$VENV/bin"
