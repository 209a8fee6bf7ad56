#!/usr/bin/env bash
# test_msg_gen.sh: the msg_gen benchmark's latency histogram passes its
# self-test, a run of --msg_nr round trips with every byte verified gets
# them all back, and a --duration run reports every second and ends with
# a well-formed summary line; neither may count an error.
#   usage: test_msg_gen.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

"$MN_BIN/msg_gen" --self-test || topo_fail "msg_gen --self-test"

topo_two_machnetds
topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/server.log" \
	"$MN_BIN/msg_gen" --local_ip "$IP_B"
SERVER=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$SERVER" ||
	topo_fail "msg_gen server did not start"

# Runs a client with the given flags; its output lands in $TOPO_DIR/$1.log.
client() {
	local name=$1
	shift
	echo "client: $*"
	topo_run "$TOPO_NS_A" "$INST_A" timeout 30 "$MN_BIN/msg_gen" \
		--local_ip "$IP_A" --remote_ip "$IP_B" "$@" \
		>"$TOPO_DIR/$name.log" 2>&1 || topo_fail "msg_gen client $*"
	cat "$TOPO_DIR/$name.log"
	kill -0 "$SERVER" 2>/dev/null || topo_fail "msg_gen server died"
}

SUMMARY_RE='^summary: msg_size=[0-9]+ msg_window=[0-9]+ msgs=[0-9]+ msg_per_s=[0-9]+ gbps=[0-9.]+ p50_us=[0-9.]+ p99_us=[0-9.]+ p999_us=[0-9.]+ max_us=[0-9.]+ errors=0$'

# Prints the value of KEY in the summary line of log NAME.
summary_field() {
	grep -E "$SUMMARY_RE" "$TOPO_DIR/$1.log" | sed -E "s/.* $2=([0-9.]+).*/\1/"
}

client verified --verify --msg_nr 20000 --msg_window 8 --msg_size 1024
[ "$(summary_field verified msgs)" = 20000 ] ||
	topo_fail "verified run: no summary with msgs=20000 and errors=0"

client timed --duration 3
msgs=$(summary_field timed msgs)
[ -n "$msgs" ] && [ "$msgs" -gt 0 ] ||
	topo_fail "timed run: no summary with messages and errors=0"
# The per-second lines are in upstream msg_gen's format.
seconds=$(grep -cE '^TX/RX \(msg/sec, Gbps\): \([0-9]+\.[0-9]K/[0-9]+\.[0-9]K, [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}\)\. RTT \(p50/99/99\.9 us\): [0-9]+/[0-9]+/[0-9]+$' "$TOPO_DIR/timed.log")
[ "$seconds" -ge 2 ] || topo_fail "timed run: $seconds per-second lines"
[ "$(summary_field timed p50_us)" != 0.00 ] || topo_fail "timed run: p50 of 0"

topo_stop_app "$SERVER" || topo_fail "msg_gen server did not exit 0 on SIGTERM"
grep -qE '^TX/RX \(msg/sec, Gbps\): \([0-9]+\.[0-9]K/[0-9]+\.[0-9]K, [0-9.]+/[0-9.]+\)\. RTT \(p50/99/99\.9 us\): N/A$' "$TOPO_DIR/server.log" ||
	topo_fail "server printed no echo rate"
echo "PASS: msg_gen ($TOPO_MODE)"
