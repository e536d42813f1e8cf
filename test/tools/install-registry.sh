#!/usr/bin/env bash
# Installs a container image registry for the release rehearsal: Debian's `docker-registry` package
# (CNCF distribution 2.8, which stores OCI images and Helm charts). No service is started (policy-rc.d
# exits 101; the tests start their own registry on a port of their own). Also skopeo, which pushes and
# inspects images, and umoci, which unpacks one to look inside. Idempotent: prints the registry binary's path.
set -euo pipefail

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  [[ -e /usr/sbin/policy-rc.d ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; }
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
command -v docker-registry
