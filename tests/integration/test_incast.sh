#!/usr/bin/env bash
# test_incast.sh: several senders, each on its own host with its own
# machnetd, send to one receiver at once through a Linux bridge (incast):
# no message is lost, and the receiver prints each flow's throughput and
# Jain's fairness index over them, (sum x)^2 / (n * sum x^2), measured while
# every flow was sending. Timing on a shared 2-core VM is noisy, so the
# index fails the test only when it is absurd (below 0.5: one flow starved).
# Four machnetds with the default pool take about 640 MB of hugepages.
# Every sender queues more than a quarter of its pool, so each machnetd
# hands out nearly every buffer it has: with af_xdp this is the test that
# caught buffers lying outside the kernel's view of the pool (primary/pool.c).
# On af_xdp this test also caught a sender held to one packet per 200 ms for
# up to 2 s (Jain's index 0.38): noisy round trips on the shared vCPUs had
# cut its window to the floor (see "Noisy delay" in docs/PROTOCOL.md).
#   usage: test_incast.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
SENDERS=3
SECS=5
MIN_JAIN=0.5
RX=$((SENDERS + 1))

topo_bridge_machnetds "$RX"
RX_IP=${TOPO_HOST_IP[RX]}
topo_spawn "${TOPO_HOST_NS[RX]}" "${TOPO_HOST_INST[RX]}" "$TOPO_DIR/recv.log" \
	"$MN_BIN/tests/stress" recv --local "$RX_IP" --flows "$SENDERS" \
	--timeout 60
RECV=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/recv.log" "listening" 10 "$RECV" ||
	topo_fail "receiver did not start"

declare -a SEND=()
for ((i = 1; i <= SENDERS; i++)); do
	topo_spawn "${TOPO_HOST_NS[i]}" "${TOPO_HOST_INST[i]}" \
		"$TOPO_DIR/send$i.log" "$MN_BIN/tests/stress" send \
		--local "${TOPO_HOST_IP[i]}" --remote "$RX_IP" --id "$i" \
		--seed "$RANDOM" --duration "$SECS" --max-size 65536 --timeout 60
	SEND[i]=$TOPO_LAST_PID
done
echo "incast: $SENDERS senders to one receiver for $SECS s ($TOPO_MODE)"
for ((i = 1; i <= SENDERS; i++)); do
	topo_wait_pid "${SEND[i]}" 60 ||
		topo_fail "sender $i (a flow failed or a message never got through)"
	cat "$TOPO_DIR/send$i.log"
done
topo_wait_pid "$RECV" 20 || topo_fail "receiver"
cat "$TOPO_DIR/recv.log"
jain=$(sed -n 's/^stress: jain index \([0-9.]*\) .*/\1/p' "$TOPO_DIR/recv.log")
[ -n "$jain" ] || topo_fail "the receiver printed no fairness index"
awk -v j="$jain" -v m="$MIN_JAIN" 'BEGIN { exit !(j >= m) }' ||
	topo_fail "Jain's index $jain is below $MIN_JAIN: a flow was starved"
for ((i = 1; i <= RX; i++)); do
	stop_machnetd "${TOPO_HOST_INST[i]}" ||
		topo_fail "machnetd on host $i did not exit 0"
done
echo "PASS: incast, Jain's index $jain ($TOPO_MODE)"
