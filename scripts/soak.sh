#!/usr/bin/env bash
# soak.sh: machnet under everything at once, for SOAK_MINUTES (10 by
# default; CI runs 1): two hosts with fault injection on (loss,
# reordering, duplication); a checked stream each way (stress: every
# message of 1 B to 1 MiB, some of 8 MiB, arrives exactly once, in order,
# intact); applications killed and restarted at random beside them
# (pingpong clients and their server); and one tenant flooding a peer that
# never reads. At the end both streams must have checked out, the pools
# must be back to their idle count and machnetd's heap and RSS where they
# were after the first minute's warm-up; the figures are printed.
#   usage: scripts/soak.sh BUILDDIR [xdp|packet]   (as root, after set-up)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILDDIR [xdp|packet]" >&2
	exit 2
fi
export MN_BUILD=$1
source "$(dirname "$0")/topo.sh"
topo_init "${2:-packet}"
MINUTES=${SOAK_MINUTES:-10}
SECS=$((MINUTES * 60))
PORT_STREAM=31800
PORT_CHURN=31801
PORT_FLOOD=31802
FAULTS=(--fault.rx_drop=0.005 --fault.tx_drop=0.005 --fault.rx_reorder=0.01
	--fault.tx_duplicate=0.01 --arp.retries=30
	--transport.connect_timeout_ms=5000)

# Bounded: heap_info takes the DPDK heap's lock, which a process killed
# while holding it never gives back (issue 10's note).
heap_alloc() {
	echo '/eal/heap_info,0' | timeout 10 dpdk-telemetry.py -f "$1" 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["/eal/heap_info"]["Alloc_size"])' ||
		topo_fail "no heap figures from $1 in 10 s: its DPDK heap lock is held"
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/${TOPO_MACHNETD[$1]}/status"
}

# stream NAME FROM_NS FROM_INST FROM_IP TO_NS TO_INST TO_IP: a checked
# stress stream for the whole soak; sets STREAM_RECV/STREAM_SEND pids.
stream() {
	topo_spawn "$5" "$6" "$TOPO_DIR/recv.$1.log" "$MN_BIN/tests/stress" recv \
		--local "$7" --port $PORT_STREAM --flows 2 --timeout $((SECS + 120))
	STREAM_RECV=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/recv.$1.log" "listening" 20 "$STREAM_RECV" ||
		topo_fail "stream $1: receiver did not start"
	topo_spawn "$2" "$3" "$TOPO_DIR/send.$1.log" "$MN_BIN/tests/stress" send \
		--local "$4" --remote "$7" --port $PORT_STREAM --flows 2 \
		--duration "$SECS" --max-size 1048576 --skew 8 --big-every 500 \
		--seed $RANDOM --timeout $((SECS + 120))
	STREAM_SEND=$TOPO_LAST_PID
}

# Restarts pingpong clients (and now and then their server) at random,
# killing each with SIGKILL a random fraction of a few seconds after it
# connected. Not before: a process killed inside DPDK's heap lock (in
# rte_eal_init, or libmachnet's frees right after it) leaves the lock held
# and every later application of the instance spinning in machnet_init;
# that is a known, unfixed hazard (issue 10's note), which the soak would
# otherwise hit now and then instead of what it is for.
churn() {
	local end=$((SECONDS + SECS)) server pid cycles=0 size
	server_up() {
		topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/churn_server.log" \
			"$MN_BIN/pingpong" --server --local "$IP_B" --port $PORT_CHURN
		server=$TOPO_LAST_PID
		topo_wait_log "$TOPO_DIR/churn_server.log" "listening" 20 "$server"
	}
	server_up
	while [ $SECONDS -lt $end ]; do
		size=$((1 << (RANDOM % 20)))
		topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/churn_client.log" \
			"$MN_BIN/pingpong" --client --local "$IP_A" --remote "$IP_B" \
			--port $PORT_CHURN --count 1000000 --size $size --timeout 30
		pid=$TOPO_LAST_PID
		topo_wait_log "$TOPO_DIR/churn_client.log" "connected" 20 "$pid"
		sleep "$((RANDOM % 3)).$((RANDOM % 10))"
		kill -KILL "$pid" 2>/dev/null
		topo_wait_pid "$pid" 10
		cycles=$((cycles + 1))
		if ((RANDOM % 8 == 0)); then
			kill -KILL "$server" 2>/dev/null
			topo_wait_pid "$server" 10
			server_up
		fi
	done
	topo_stop_app "$server"
	echo "$cycles" >"$TOPO_DIR/churn.count"
}

topo_two_machnetds "${FAULTS[@]}"
idle_a=$(topo_counter "$INST_A" pool_free)
idle_b=$(topo_counter "$INST_B" pool_free)
echo "soak: $MINUTES min ($TOPO_MODE), faults ${FAULTS[*]}"

stream ab "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_NS_B" "$INST_B" "$IP_B"
RECV_AB=$STREAM_RECV SEND_AB=$STREAM_SEND
stream ba "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_NS_A" "$INST_A" "$IP_A"
RECV_BA=$STREAM_RECV SEND_BA=$STREAM_SEND

topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/sink.log" \
	"$MN_BIN/tests/tenant" sink "$IP_B" $PORT_FLOOD
SINK=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/sink.log" "sinking" 20 "$SINK" ||
	topo_fail "the flood's sink did not start"
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/flood.log" \
	"$MN_BIN/tests/tenant" send "$IP_A" "$IP_B" $PORT_FLOOD 1000000 1048576
FLOOD=$TOPO_LAST_PID

churn 2>"$TOPO_DIR/churn.err" &
CHURN=$!
TOPO_PIDS+=("$CHURN")
warm=$((SECS < 60 ? SECS / 2 : 60))
sleep "$warm"
heap_a=$(heap_alloc "$INST_A") heap_b=$(heap_alloc "$INST_B")
rss_a=$(rss_kib "$INST_A") rss_b=$(rss_kib "$INST_B")

wait "$CHURN"
kill -KILL "$FLOOD" "$SINK" 2>/dev/null
topo_wait_pid "$FLOOD" 10
topo_wait_pid "$SINK" 10
for p in "$SEND_AB" "$SEND_BA" "$RECV_AB" "$RECV_BA"; do
	topo_wait_pid "$p" 180 || topo_fail "a checked stream failed (pid $p)"
done
sleep 1
for f in send.ab recv.ab send.ba recv.ba; do
	grep -E "^stress: (sender [0-9]+:|received)" "$TOPO_DIR/$f.log"
done
pool_a=$(topo_counter "$INST_A" pool_free) pool_b=$(topo_counter "$INST_B" pool_free)
end_heap_a=$(heap_alloc "$INST_A") end_heap_b=$(heap_alloc "$INST_B")
end_rss_a=$(rss_kib "$INST_A") end_rss_b=$(rss_kib "$INST_B")
echo "soak: $(cat "$TOPO_DIR/churn.count") applications killed and restarted"
echo "soak: pool free A $idle_a -> $pool_a, B $idle_b -> $pool_b"
echo "soak: heap after warm-up -> end: A $heap_a -> $end_heap_a, B $heap_b -> $end_heap_b bytes"
echo "soak: RSS after warm-up -> end: A $rss_a -> $end_rss_a, B $rss_b -> $end_rss_b KiB"
[ "$pool_a" -eq "$idle_a" ] && [ "$pool_b" -eq "$idle_b" ] ||
	topo_fail "the pools are not back to their idle count"
[ "$end_heap_a" -eq "$heap_a" ] && [ "$end_heap_b" -eq "$heap_b" ] ||
	topo_fail "machnetd's heap grew"
# 2 MiB of slack: one hugepage's worth of pages touched for the first time.
[ $((end_rss_a - rss_a)) -le 2048 ] && [ $((end_rss_b - rss_b)) -le 2048 ] ||
	topo_fail "machnetd's RSS grew by more than 2 MiB"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0"
echo "PASS: soak, $MINUTES min ($TOPO_MODE)"
