#!/usr/bin/env bash
# Builds src/bounded-client/iperf3-bounded.c for this host (as the Dockerfile does for the images: gcc
# -Os -static) into ${IPERF3_MONITOR_TOOLS:-~/.cache/iperf3-monitor/bin}, keyed by the source's hash, and
# prints the binary's path. A no-op when it is there. Needs gcc and libc6-dev (test/tools/system-deps.sh).
# Used by test/bounded-client/*.test.ts and by the KWOK rig (test/k8s/rig.sh puts it on KWOK's PATH).
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/src/bounded-client/iperf3-bounded.c"
bin_dir="${IPERF3_MONITOR_TOOLS:-$HOME/.cache/iperf3-monitor/bin}"
out="$bin_dir/iperf3-bounded-$(sha256sum "$src" | cut -c1-12)"
if [[ ! -x "$out" ]]; then
  mkdir -p "$bin_dir"
  gcc -Os -static -s -Wall -Wextra -Werror -o "$out.tmp.$$" "$src"
  mv -f "$out.tmp.$$" "$out"
fi
echo "$out"
