#!/usr/bin/env bash
# test_shutdown.sh: machnetd exits 0 on SIGTERM even while its telemetry is
# being read and right after traffic. DPDK 22.11's rte_eal_cleanup()
# unmapped hugepage memory under the still-running telemetry and interrupt
# threads: a /machnet/counters request answered during the stop crashed
# machnetd in about 7 stops in 10, and net_memif's interrupt source made
# the interrupt thread crash now and then (primary/main.c no longer calls
# it). Each round has msg_gen exchange messages for a second, then
# stops both machnetds while a client queries their telemetry nonstop:
# the counters, and the flows and channels, whose records machnetd frees
# as it stops (behind a gate that must hold).
#   usage: test_shutdown.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
ROUNDS=4
IP_A=10.99.0.1
IP_B=10.99.0.2

# Queries every /machnet command of instance $1 in turn, as fast as it
# answers, until the socket goes away.
hammer_telemetry() {
	python3 - "/var/run/dpdk/$1/dpdk_telemetry.v2" <<'PY' &
import itertools, socket, sys
cmds = [b"/machnet/counters", b"/machnet/flows", b"/machnet/channels", b"/machnet/info",
        b"/machnet/listeners", b"/machnet/arp"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(sys.argv[1])
    s.recv(16384)
    for cmd in itertools.cycle(cmds):
        s.send(cmd)
        if not s.recv(16384):
            break
except OSError:
    pass
PY
	TOPO_PIDS+=("$!")
}

shutdown_round() {
	local r=$1 inst rc
	local -a insts=("$(topo_instance "a$r")" "$(topo_instance "b$r")")
	start_machnetd "$TOPO_NS_A" "${insts[0]}" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" ||
		topo_fail "round $r: machnetd on host A"
	start_machnetd "$TOPO_NS_B" "${insts[1]}" "$IP_B" "$TOPO_IF_B" "$TOPO_MODE" ||
		topo_fail "round $r: machnetd on host B"
	topo_spawn "$TOPO_NS_B" "${insts[1]}" "$TOPO_DIR/server.log" \
		"$MN_BIN/msg_gen" --local_ip "$IP_B"
	topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$TOPO_LAST_PID" ||
		topo_fail "round $r: msg_gen server did not start"
	topo_run "$TOPO_NS_A" "${insts[0]}" timeout 15 "$MN_BIN/msg_gen" \
		--local_ip "$IP_A" --remote_ip "$IP_B" --duration 1 \
		>"$TOPO_DIR/client.log" 2>&1 ||
		topo_fail "round $r: msg_gen client failed"
	for inst in "${insts[@]}"; do
		hammer_telemetry "$inst"
	done
	sleep 0.2
	for inst in "${insts[@]}"; do
		stop_machnetd "$inst"
		rc=$?
		[ "$rc" -eq 0 ] ||
			topo_fail "round $r: machnetd $inst exited $rc on SIGTERM"
	done
	rm -f "$TOPO_DIR"/*.log
}

topo_two_hosts || topo_fail "cannot build the two-host topology"
for ((r = 1; r <= ROUNDS; r++)); do
	shutdown_round "$r"
done
echo "PASS: shutdown, $ROUNDS rounds of traffic, telemetry and SIGTERM ($TOPO_MODE)"
