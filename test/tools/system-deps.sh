#!/usr/bin/env bash
# Installs the Debian packages the test suite, the demo, the image build and the real-node rig need, on a
# fresh Debian machine (Node, npm, Go, Python, apt). Idempotent and quick when nothing is missing: it checks
# each command (or file) of the table below and runs apt-get (update, then install) only for what is
# missing. No package starts a service while it is installed (/usr/sbin/policy-rc.d exits 101 meanwhile).
#
#   test/tools/system-deps.sh [GROUP...]    default: every group; GROUP is demo, image, nodes or test
#   test/tools/system-deps.sh --list [GROUP...]   print the packages of those groups, install nothing
#
# Called by `npm test` (all groups), `npm run demo` (demo) and `npm run image` (image). To add a package,
# add a row: the command (or an absolute path) whose absence means the package is missing, the package,
# and the groups that need it.
set -euo pipefail

# command or path                     package                        groups
TABLE='
iperf3                                iperf3                         demo test
ip                                    iproute2                       demo test nodes
tc                                    iproute2                       demo test nodes
ss                                    iproute2                       test
prometheus-pushgateway                prometheus-pushgateway         demo test nodes
prometheus                            prometheus                     test
promtool                              prometheus                     test
prometheus-alertmanager               prometheus-alertmanager        test
unzip                                 unzip                          test
shellcheck                            shellcheck                     test
curl                                  curl                           test nodes
openssl                               openssl                        test nodes
jq                                    jq                             test nodes
flock                                 util-linux                     test image nodes
pgrep                                 procps                         test nodes
nsenter                               util-linux                     nodes
git                                   git                            image
buildah                               buildah                        image nodes
mmdebstrap                            mmdebstrap                     image nodes
umoci                                 umoci                          image nodes
skopeo                                skopeo                         image nodes
fuse-overlayfs                        fuse-overlayfs                 image nodes
newuidmap                             uidmap                         image nodes
gcc                                   gcc                            test nodes
/usr/lib/x86_64-linux-gnu/libc.a      libc6-dev                      test nodes
containerd                            containerd                     nodes
ctr                                   containerd                     nodes
runc                                  runc                           nodes
/usr/lib/cni/bridge                   containernetworking-plugins    nodes
iptables                              iptables                       nodes
conntrack                             conntrack                      nodes
'
GROUPS_ALL="demo image nodes test"

list=0
if [[ "${1:-}" == --list ]]; then list=1; shift; fi
wanted=("$@")
((${#wanted[@]})) || read -r -a wanted <<<"$GROUPS_ALL"
for g in "${wanted[@]}"; do
  [[ " $GROUPS_ALL " == *" $g "* ]] || { echo "system-deps.sh: unknown group \"$g\" (groups: $GROUPS_ALL)" >&2; exit 2; }
done

present() { if [[ "$1" == /* ]]; then [[ -e "$1" ]]; else command -v "$1" >/dev/null 2>&1; fi; }

all=() missing=()
while read -r what package groups; do
  [[ -n "$what" ]] || continue
  for g in "${wanted[@]}"; do
    if [[ " $groups " == *" $g "* ]]; then
      all+=("$package")
      present "$what" || missing+=("$package")
      break
    fi
  done
done <<<"$TABLE"

if ((list)); then
  printf '%s\n' "${all[@]}" | sort -u
  exit 0
fi
((${#missing[@]})) || exit 0

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $EUID -ne 0 ]]; then
  echo "system-deps.sh: missing Debian packages: ${packages[*]}; run as root (or: apt-get install ${packages[*]})" >&2
  exit 1
fi

exec 9>/var/lock/iperf3-monitor-system-deps.lock
flock 9
echo "system-deps.sh: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian's packages would start their services through invoke-rc.d; the tests start their own.
made_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
((made_policy)) && echo "system-deps.sh: removed the temporary /usr/sbin/policy-rc.d" >&2
echo "system-deps.sh: installed ${packages[*]}" >&2
