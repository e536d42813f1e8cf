#!/bin/sh
# stamp.sh LOG CMD...: runs CMD and appends "start_ns end_ns exit_code CMD..." to LOG. The bench wraps
# the runner's client command with it to see when each iperf3 ran (no strace, no change to src/).
log=$1
shift
s=$(date +%s%N)
"$@"
rc=$?
e=$(date +%s%N)
echo "$s $e $rc $*" >>"$log"
exit $rc
