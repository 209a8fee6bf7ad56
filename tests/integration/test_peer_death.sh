#!/usr/bin/env bash
# test_peer_death.sh: when the peer goes away without a word, the sending
# application learns that its flows ended (ECONNRESET on machnet_recv, as
# it asked with machnet_set_flow_events, then on machnet_send) within a
# bounded time instead of sending into the void:
# (a) the peer's machnetd is killed with SIGKILL (the sender's machnetd must
# give up retransmitting), (b) the peer application is killed with SIGKILL
# (its machnetd reclaims its channel and closes its flows).
#   usage: test_peer_death.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
FLOWS=2
MAX_SECS=10
IP_A=10.99.0.1
IP_B=10.99.0.2

# TAG: starts both machnetds, a receiver and a sender that expects resets.
start_pair() {
	INST_A=$(topo_instance "a$1")
	INST_B=$(topo_instance "b$1")
	start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" ||
		topo_fail "machnetd A ($1)"
	start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" "$TOPO_MODE" ||
		topo_fail "machnetd B ($1)"
	topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/recv.$1.log" \
		"$MN_BIN/tests/stress" recv --local "$IP_B" --flows "$FLOWS" \
		--timeout 60
	RECV=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/recv.$1.log" "listening" 10 "$RECV" ||
		topo_fail "receiver ($1) did not start"
	topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/send.$1.log" \
		"$MN_BIN/tests/stress" send --local "$IP_A" --remote "$IP_B" \
		--flows "$FLOWS" --duration 60 --max-size 65536 --expect-reset \
		--timeout 60
	SEND=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/send.$1.log" "connected" 10 "$SEND" ||
		topo_fail "sender ($1) did not connect"
	sleep 1 # let data flow
	kill -0 "$SEND" 2>/dev/null || topo_fail "sender ($1) stopped early"
}

# TAG CASE START_NS: waits for the sender to see every flow end.
expect_resets() {
	local rc ms
	topo_wait_pid "$SEND" "$MAX_SECS"
	rc=$?
	ms=$((($(date +%s%N) - $3) / 1000000))
	cat "$TOPO_DIR/send.$1.log"
	[ "$rc" -ne 124 ] ||
		topo_fail "$2: no ECONNRESET on the sender within $MAX_SECS s"
	[ "$rc" -eq 0 ] || topo_fail "$2: sender exited $rc"
	echo "$2: the sender saw every flow end $ms ms after the kill"
}

topo_two_hosts || topo_fail "cannot build the two-host topology"
start_pair d
pid=${TOPO_MACHNETD[$INST_B]}
start=$(date +%s%N)
kill -KILL "$pid"
expect_resets d "peer machnetd killed" "$start"
topo_stop_app "$RECV" 5 # a secondary of a dead primary: its status is moot
stop_machnetd "$INST_B"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"

start_pair k
[ "$(cat "/proc/$RECV/comm" 2>/dev/null)" = stress ] ||
	topo_fail "the receiver's pid is not the stress process"
start=$(date +%s%N)
kill -KILL "$RECV"
expect_resets k "peer application killed" "$start"
topo_wait_pid "$RECV" 5 2>/dev/null # reaps it; bash would report "Killed"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0"
echo "PASS: peer death ($TOPO_MODE)"
