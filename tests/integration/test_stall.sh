#!/usr/bin/env bash
# test_stall.sh: a receiving application that stops reading for seconds
# and then resumes loses nothing, and its sender's flows never fail: flow
# control holds the sender back instead.
#
# The sender queues more than machnetd's pool can hold (about 120 MB in
# messages of 1 B to 64 KiB), far more than the receiver's ring and window,
# so while the receiver sleeps the flows must stay stopped for seconds with
# data waiting on both sides. Meanwhile /machnet/channels counts the
# sender's refused sends, never more than the sender itself saw.
#   usage: test_stall.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
FLOWS=4
COUNT=40000
PAUSE_MS=4000
SEED=$RANDOM

topo_two_machnetds
topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/recv.log" \
	"$MN_BIN/tests/stress" recv --local "$IP_B" --flows "$FLOWS" \
	--pause-after 1000 --pause-ms "$PAUSE_MS" --timeout 90
RECV=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/recv.log" "listening" 10 "$RECV" ||
	topo_fail "receiver did not start"

echo "stall: $COUNT messages on $FLOWS flows, receiver pauses $PAUSE_MS ms" \
	"(message seed $SEED)"
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/send.log" "$MN_BIN/tests/stress" \
	send --local "$IP_A" --remote "$IP_B" --flows "$FLOWS" --count "$COUNT" \
	--max-size 65536 --skew 2 --seed "$SEED" --timeout 90
SEND=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/recv.log" "receiver pausing" 30 "$RECV" ||
	topo_fail "the receiver never paused"
sleep 1
refused=$(topo_telemetry "$INST_A" /machnet/channels | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["tx_eagain"][r["pid"].index(int(sys.argv[1]))])' "$SEND") ||
	topo_fail "/machnet/channels does not list the sender (pid $SEND)"
topo_wait_pid "$SEND" 90 ||
	topo_fail "sender (a flow failed or a message never got through)"
topo_wait_pid "$RECV" 20 || topo_fail "receiver"
seen=$(sed -n 's/.*; \([0-9]*\) sends refused (EAGAIN)$/\1/p' "$TOPO_DIR/send.log")
echo "stall: while the receiver slept, /machnet/channels counted $refused" \
	"refused sends; the sender saw ${seen:-?} in all"
[ "$refused" -gt 0 ] && [ -n "$seen" ] && [ "$refused" -le "$seen" ] ||
	topo_fail "tx_eagain $refused is not within 1..${seen:-?}"
cat "$TOPO_DIR/send.log" "$TOPO_DIR/recv.log" | grep -v "jain"
grep -qF "receiver reading again" "$TOPO_DIR/recv.log" ||
	topo_fail "the receiver never paused"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0"
echo "PASS: stall ($TOPO_MODE)"
