#!/usr/bin/env bash
# test_stop.sh: when machnetd goes away under an application that is
# polling machnet_recv, the application's calls fail within a few seconds
# instead of hanging on a primary that is gone: after a SIGTERM (machnetd
# says it is stopping) and after a SIGKILL (it says nothing).
#   usage: test_stop.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
IP_A=10.99.0.1
MAX_SECS=10

# TERM or KILL
stop_under_app() {
	local sig=$1 inst app pid start rc ms log=$TOPO_DIR/recv_wait.$1.log
	inst=$(topo_instance "a$sig")
	start_machnetd "$TOPO_NS_A" "$inst" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" ||
		topo_fail "machnetd on host A"
	topo_spawn "$TOPO_NS_A" "$inst" "$log" "$MN_BIN/tests/recv_wait" "$IP_A" 31590 60
	app=$TOPO_LAST_PID
	topo_wait_log "$log" "recv_wait: waiting" 10 "$app" ||
		topo_fail "recv_wait did not start"
	sleep 1
	start=$(date +%s%N)
	if [ "$sig" = TERM ]; then
		stop_machnetd "$inst" || topo_fail "machnetd did not exit 0 on SIGTERM"
	else
		pid=${TOPO_MACHNETD[$inst]}
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	fi
	topo_wait_pid "$app" "$MAX_SECS"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	stop_machnetd "$inst"
	cat "$log"
	[ "$rc" -ne 124 ] ||
		topo_fail "SIG$sig: application still waiting ${MAX_SECS} s after machnetd went"
	[ "$rc" -eq 0 ] || topo_fail "SIG$sig: recv_wait exited $rc"
	echo "SIG$sig: application saw the error after $ms ms"
}

topo_two_hosts || topo_fail "cannot build the two-host topology"
stop_under_app TERM
stop_under_app KILL
echo "PASS: stop ($TOPO_MODE)"
