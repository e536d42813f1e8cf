#!/bin/sh
# interfere.sh MARKER NETNS SERVER_IP PORT CMD...: a client-command wrapper for the lab tests. The first
# time CMD is a test from NETNS to SERVER_IP, it also starts a real second iperf3 flow on the same path
# (to the server on PORT) for the test's length, so that this one reading is corrupted by traffic the
# runner did not plan; later attempts (the re-test) run alone. MARKER is a directory made once.
marker=$1 netns=$2 server=$3 port=$4
shift 4
# CMD is "ip netns exec <netns> iperf3 -c <ip> …"
if [ "$4" = "$netns" ] && [ "$7" = "$server" ] && mkdir "$marker" 2>/dev/null; then
  ip netns exec "$netns" iperf3 -c "$server" -p "$port" -t 4 >/dev/null 2>&1 &
  sleep 0.5 # the second flow holds its share of the link when the test starts
fi
exec "$@"
