#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium (package `chromium`) for the HTML report test. Idempotent:
# prints the binary's path and exits at once when it is already installed. Needs root and apt.
set -euo pipefail

if command -v chromium >/dev/null; then
  command -v chromium
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "install-chromium: chromium is missing and installing it needs root (apt-get install chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; an existing one may have stale ones. Retry once after an update.
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
command -v chromium
