#!/usr/bin/env bash
# test_wait.sh: applications that wait instead of polling (machnet_recv_wait,
# machnet_channel_fd in an epoll loop) get every message, each byte
# checked, sleep on the CPU-free path while idle, time out as documented,
# and wake with ESHUTDOWN when machnetd stops (tests/integration/waiter.c).
#   usage: test_wait.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31610
W=$MN_BIN/tests/waiter

topo_two_machnetds
topo_run "$TOPO_NS_B" "$INST_B" timeout 20 "$W" timeout "$IP_B" $((PORT + 9)) ||
	topo_fail "waiter timeout"

port=$PORT
for mode in block epoll; do
	port=$((port + 3))
	topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/server.$mode.log" \
		"$W" server "$mode" "$IP_B" "$port"
	srv=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/server.$mode.log" "waiter: ready" 20 "$srv" ||
		topo_fail "$mode server did not start"
	topo_run "$TOPO_NS_A" "$INST_A" timeout 60 "$W" client "$IP_A" "$IP_B" "$port" 200 ||
		topo_fail "$mode: the client's echoes"
	# Idle: a waiting application must not spin (a spinning one uses
	# about 1000 ms a second).
	sleep 2
	topo_stop_app "$srv" 10 || topo_fail "$mode server did not exit 0 on SIGTERM"
	line=$(grep "idle cpu_ms" "$TOPO_DIR/server.$mode.log")
	echo "$mode: $line"
	cpu=$(sed -n 's/.*idle cpu_ms=\([0-9]*\).*/\1/p' <<<"$line")
	idle=$(sed -n 's/.*idle_s=\([0-9.]*\).*/\1/p' <<<"$line")
	[ "$(grep -o 'echoed=[0-9]*' <<<"$line")" = echoed=200 ] ||
		topo_fail "$mode server echoed other than 200"
	awk -v i="$idle" 'BEGIN { exit !(i >= 1.0) }' || topo_fail "$mode server never waited a second"
	[ "$cpu" -le 100 ] || topo_fail "$mode server used ${cpu} ms of CPU while it waited"
done

# machnetd stopping, then dying, wakes a waiter with ESHUTDOWN.
for how in stop kill; do
	port=$((PORT + 1))
	for mode in block epoll; do
		port=$((port + 1))
		topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/end.$how.$mode.log" \
			"$W" server "$mode" "$IP_B" "$port"
		eval "end_$mode=$TOPO_LAST_PID"
		topo_wait_log "$TOPO_DIR/end.$how.$mode.log" "waiter: ready" 20 "$TOPO_LAST_PID" ||
			topo_fail "server ($how, $mode) did not start"
	done
	sleep 0.5
	if [ "$how" = stop ]; then
		stop_machnetd "$INST_B" >/dev/null
	else
		pid=${TOPO_MACHNETD[$INST_B]}
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
	fi
	for mode in block epoll; do
		eval "pid=\$end_$mode"
		topo_wait_pid "$pid" 5
		rc=$?
		[ "$rc" -eq 3 ] && grep -q "waiter: shutdown" "$TOPO_DIR/end.$how.$mode.log" ||
			topo_fail "machnetd's $how: the $mode waiter exited $rc, not with ESHUTDOWN"
	done
	[ "$how" = stop ] && start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" "$TOPO_MODE"
done
echo "PASS: wait ($TOPO_MODE)"
