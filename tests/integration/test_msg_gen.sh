#!/usr/bin/env bash
# test_msg_gen.sh: the msg_gen benchmark's latency histogram passes its
# self-test, a run of --msg_nr round trips with every byte verified gets
# them all back, and a --duration run reports every second and ends with
# a well-formed summary line; neither may count an error. Then the same
# with client and server in --idle wait (sleeping in machnet_recv_wait):
# the verified runs get every echo back, a --duration run still ends on
# time, an idle waiting server uses almost no CPU, and the server's
# summary on SIGTERM counts what it echoed.
#   usage: test_msg_gen.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

"$MN_BIN/msg_gen" --self-test || topo_fail "msg_gen --self-test"

topo_two_machnetds

# Starts a server with the given flags; its output lands in $TOPO_DIR/$1.log.
server() {
	local name=$1
	shift
	topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/$name.log" \
		"$MN_BIN/msg_gen" --local_ip "$IP_B" "$@"
	SERVER=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/$name.log" "listening" 10 "$SERVER" ||
		topo_fail "msg_gen server $* did not start"
}

server server

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

SUMMARY_RE='^summary: msg_size=[0-9]+ msg_window=[0-9]+ msgs=[0-9]+ msg_per_s=[0-9]+ gbps=[0-9.]+ p50_us=[0-9.]+ p99_us=[0-9.]+ p999_us=[0-9.]+ max_us=[0-9.]+ errors=0 cpu_per_s=[0-9.]+$'
SERVER_SUMMARY_RE='^summary: msgs=[0-9]+ secs=[0-9.]+ cpu_per_s=[0-9.]+$'

# Prints the value of KEY in the summary line of log NAME.
summary_field() {
	grep -E "$SUMMARY_RE|$SERVER_SUMMARY_RE" "$TOPO_DIR/$1.log" |
		sed -E "s/.* $2=([0-9.]+).*/\1/"
}

# The CPU ticks (user + system, all threads) msg_gen at PID has used so far.
cpu_ticks() {
	local f
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = msg_gen ] || topo_fail "pid $1 is not msg_gen"
	read -r -a f <<<"$(sed 's/.*) //' "/proc/$1/stat")"
	echo $((f[11] + f[12]))
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
# The timed run may leave up to its window (8) of echoes unreceived.
echoed=$(summary_field server msgs)
[ -n "$echoed" ] && [ "$echoed" -ge $((20000 + msgs)) ] &&
	[ "$echoed" -le $((20008 + msgs)) ] ||
	topo_fail "server summary: msgs=$echoed, not $((20000 + msgs))"

# A waiting server with nothing to do sleeps: a poller, even yielding, would
# use about a vCPU's 200 ticks in 2 s.
server server_wait --idle wait
ticks=$(cpu_ticks "$SERVER")
sleep 2
ticks=$(($(cpu_ticks "$SERVER") - ticks))
echo "idle waiting server: $ticks CPU ticks in 2 s"
[ "$ticks" -le 10 ] || topo_fail "idle waiting server used $ticks ticks in 2 s"

client wait1 --idle wait --verify --msg_nr 5000 --msg_window 1 --msg_size 1024
[ "$(summary_field wait1 msgs)" = 5000 ] ||
	topo_fail "waiting run, window 1: no summary with msgs=5000 and errors=0"
client wait8 --idle wait --verify --msg_nr 20000 --msg_window 8 --msg_size 4000
[ "$(summary_field wait8 msgs)" = 20000 ] ||
	topo_fail "waiting run, window 8: no summary with msgs=20000 and errors=0"
t0=$EPOCHSECONDS
client wait_timed --idle wait --duration 2 --msg_window 1
wait_msgs=$(summary_field wait_timed msgs)
[ -n "$wait_msgs" ] && [ "$wait_msgs" -gt 0 ] ||
	topo_fail "waiting timed run: no summary with messages and errors=0"
[ $((EPOCHSECONDS - t0)) -le 8 ] ||
	topo_fail "waiting timed run of 2 s took $((EPOCHSECONDS - t0)) s"
topo_stop_app "$SERVER" || topo_fail "waiting server did not exit 0 on SIGTERM"
# The timed run may leave its last message's echo unreceived.
echoed=$(summary_field server_wait msgs)
[ -n "$echoed" ] && [ "$echoed" -ge $((25000 + wait_msgs)) ] &&
	[ "$echoed" -le $((25001 + wait_msgs)) ] ||
	topo_fail "waiting server summary: msgs=$echoed, not $((25000 + wait_msgs))"
echo "PASS: msg_gen ($TOPO_MODE)"
