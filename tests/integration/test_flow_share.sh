#!/usr/bin/env bash
# test_flow_share.sh: a flow's sends have a share of their own within the
# channel's (resources.flow_tx_share), so that one flow to a peer that
# does not read fills only its own share: the application's other flow on
# the same channel keeps sending. One channel on host A holds a flow to a
# non-reader on B until its sends are refused, then makes 200 round trips
# of messages of the same size on a second flow to an echo server on B.
# With the flow share as large as the channel's (the negative control),
# the first flow takes the whole channel share, less than one message, and
# the second flow's sends are refused.
#   usage: test_flow_share.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
ECHO_PORT=31590
SIZE=65536

topo_two_machnetds
topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B" --port "$ECHO_PORT"

# SINK_PORT: runs flood beside against a fresh non-reader; its output in OUT.
beside() {
	local port=$1 sink
	topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/sink.$port.log" \
		"$MN_BIN/tests/flood" sink "$IP_B" "$port"
	sink=$TOPO_LAST_PID
	topo_wait_log "$TOPO_DIR/sink.$port.log" listening 10 "$sink" ||
		topo_fail "the non-reader did not start"
	OUT=$(topo_run "$TOPO_NS_A" "$INST_A" timeout 60 "$MN_BIN/tests/flood" \
		beside "$IP_A" "$IP_B" "$port" "$ECHO_PORT" "$SIZE" 2>&1)
	BESIDE_RC=$?
	echo "$OUT"
	topo_stop_app "$sink"
}

beside 7110
[ "$BESIDE_RC" -eq 0 ] && grep -q '^flood: beside:' <<<"$OUT" ||
	topo_fail "a flow held back held back the channel's other flow"

# The negative control: the same with no flow share below the channel's.
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" \
	--resources.flow_tx_share=4096 || topo_fail "machnetd A (restart)"
beside 7111
grep -q "^flood: FAIL: the other flow's send was refused" <<<"$OUT" ||
	topo_fail "the negative control passed: this test cannot tell"

topo_stop_app "$SERVER" || topo_fail "pingpong server"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0"
echo "PASS: flow share ($TOPO_MODE)"
