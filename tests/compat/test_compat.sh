#!/usr/bin/env bash
# test_compat.sh: applications written the way upstream Machnet
# applications are (see tests/compat/*.c) run unchanged, built as C and as
# C++: an echo server outlives 200 one-shot clients that exit without
# closing anything, each echo arrives whole on the swapped flow, and a
# client at window 8 gets every byte of every message back.
#   usage: test_compat.sh xdp|packet
#   COMPAT_CLIENTS (200) and COMPAT_WINDOW_MSGS (3000) shorten or lengthen it.
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

CLIENTS=${COMPAT_CLIENTS:-200}
WINDOW_MSGS=${COMPAT_WINDOW_MSGS:-3000}
PORT=31850
# One-, two- and many-packet messages at MTU 1500 (1424 payload bytes each).
SIZES=(1 100 1424 1425 4000 65536 7 1000 2849 20000)
CB=$MN_BIN/compat

for b in compat_server compat_client compat_window; do
	[ -x "$CB/$b" ] && [ -x "$CB/${b}_cxx" ] ||
		topo_fail "$CB/$b or ${b}_cxx missing: run make first"
done

topo_two_machnetds

# Starts server build $1 on host B, port $2; sets SERVER and SERVER_LOG.
start_server() {
	SERVER_LOG=$TOPO_DIR/$1.log
	topo_spawn "$TOPO_NS_B" "$INST_B" "$SERVER_LOG" "$CB/$1" "$IP_B" "$2"
	SERVER=$TOPO_LAST_PID
	topo_wait_log "$SERVER_LOG" "listening" 10 "$SERVER" ||
		topo_fail "$1 did not start listening"
}

# Stops the server, which must have survived its clients, exit 0 on
# SIGTERM and have echoed $2 messages with no failed reply.
stop_server() {
	kill -0 "$SERVER" 2>/dev/null || topo_fail "$1 died while serving"
	topo_stop_app "$SERVER" || topo_fail "$1 did not exit 0 on SIGTERM"
	grep -qxF "compat_server: echoed $2 failed 0" "$SERVER_LOG" ||
		topo_fail "$1 did not echo exactly $2 messages without failure"
}

# How a client ended, from its status under timeout(1).
status_text() {
	if [ "$1" -eq 124 ]; then
		echo "timed out"
	else
		echo "exit status $1"
	fi
}

# A failed client's verdict, with what tells where its message went: the
# server's summary (it is stopped for it) and each machnetd's counters.
client_failed() {
	local inst
	topo_stop_app "$SERVER" 5
	for inst in "$INST_A" "$INST_B"; do
		echo /machnet/counters | dpdk-telemetry.py -f "$inst" 2>&1 |
			tr -d ' \n' >"$TOPO_DIR/counters.$inst.log"
		echo >>"$TOPO_DIR/counters.$inst.log"
	done
	topo_fail "$@"
}

# 1. One-shot clients, C and C++ builds in turn, against the C server.
start_server compat_server $PORT
t0=$(date +%s%N)
for ((i = 1; i <= CLIENTS; i++)); do
	bin=compat_client
	((i % 2 == 0)) && bin=compat_client_cxx
	size=${SIZES[i % ${#SIZES[@]}]}
	topo_run "$TOPO_NS_A" "$INST_A" timeout 20 "$CB/$bin" "$IP_A" "$IP_B" \
		$PORT "$size" >"$TOPO_DIR/client.log" 2>&1 ||
		client_failed "client $i of $CLIENTS ($bin, $size bytes):" \
			"$(status_text $?)"
	cat "$TOPO_DIR/client.log" >>"$TOPO_DIR/clients.out"
	kill -0 "$SERVER" 2>/dev/null ||
		topo_fail "compat_server died after client $i of $CLIENTS"
done
t1=$(date +%s%N)
# The slowest client against its deadline shows how close a run came.
slowest=$(sed -n 's/.*now \([0-9]*\) ms.*/\1/p' "$TOPO_DIR/clients.out" |
	sort -n | tail -n 1)
echo "compat: $CLIENTS one-shot clients in $(((t1 - t0) / 1000000)) ms," \
	"slowest ${slowest:-?} ms from start-up to checked echo"
stop_server compat_server "$CLIENTS"

# 2. Window 8, every byte checked, C then C++ build, against the C++ server.
start_server compat_server_cxx $((PORT + 1))
for bin in compat_window compat_window_cxx; do
	topo_run "$TOPO_NS_A" "$INST_A" timeout 60 "$CB/$bin" "$IP_A" "$IP_B" \
		$((PORT + 1)) "$WINDOW_MSGS" 8 >"$TOPO_DIR/$bin.log" 2>&1 ||
		client_failed "$bin: $(status_text $?)"
	cat "$TOPO_DIR/$bin.log"
done
stop_server compat_server_cxx $((2 * WINDOW_MSGS))

echo "PASS: compat ($TOPO_MODE)"
