#!/usr/bin/env bash
# test_shutdown.sh: machnetd stops cleanly on SIGTERM, round after round.
# Each round starts two machnetds, has msg_gen exchange messages between
# them for a second, then stops both, the first one with the msg_gen server
# still attached to it or to its peer, and every machnetd must exit 0. The
# teardown once crashed about one stop in 50 (EAL's interrupt thread walked
# hugepage memory rte_eal_cleanup had just unmapped), which no single stop
# in the other tests would reliably show: the rounds are there to repeat it.
# Rounds stop after MAX_SECS so the test ends within a minute.
#   usage: test_shutdown.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
ROUNDS=15
MAX_SECS=40
IP_A=10.99.0.1
IP_B=10.99.0.2

# One round: $1 is its number; odd rounds stop B (the server's host) first.
shutdown_round() {
	local r=$1 inst_a inst_b server first second rc
	inst_a=$(topo_instance "a$r")
	inst_b=$(topo_instance "b$r")
	start_machnetd "$TOPO_NS_A" "$inst_a" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" ||
		topo_fail "round $r: machnetd on host A"
	start_machnetd "$TOPO_NS_B" "$inst_b" "$IP_B" "$TOPO_IF_B" "$TOPO_MODE" ||
		topo_fail "round $r: machnetd on host B"
	topo_spawn "$TOPO_NS_B" "$inst_b" "$TOPO_DIR/server.log" \
		"$MN_BIN/msg_gen" --local_ip "$IP_B"
	server=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$server" ||
		topo_fail "round $r: msg_gen server did not start"
	topo_run "$TOPO_NS_A" "$inst_a" timeout 15 "$MN_BIN/msg_gen" \
		--local_ip "$IP_A" --remote_ip "$IP_B" --duration 1 \
		>"$TOPO_DIR/client.log" 2>&1 ||
		topo_fail "round $r: msg_gen client failed"
	if ((r % 2)); then
		first=$inst_b second=$inst_a
	else
		first=$inst_a second=$inst_b
	fi
	stop_machnetd "$first"
	rc=$?
	[ "$rc" -eq 0 ] || topo_fail "round $r: machnetd $first exited $rc on SIGTERM"
	stop_machnetd "$second"
	rc=$?
	[ "$rc" -eq 0 ] || topo_fail "round $r: machnetd $second exited $rc on SIGTERM"
	# Its machnetd is gone, so how the server ends is not this test's concern.
	topo_stop_app "$server" 5 >/dev/null 2>&1
	rm -f "$TOPO_DIR"/*.log
}

topo_two_hosts || topo_fail "cannot build the two-host topology"
for ((r = 1; r <= ROUNDS && SECONDS < MAX_SECS; r++)); do
	shutdown_round "$r"
done
echo "PASS: shutdown, $((r - 1)) rounds of traffic and SIGTERM ($TOPO_MODE)"
