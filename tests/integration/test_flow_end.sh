#!/usr/bin/env bash
# test_flow_end.sh: a received flow names the sender as src, and a flow
# the peer closes fails no receive unless the channel asked for flow
# events (tests/integration/flow_end.c says what is checked).
#   usage: test_flow_end.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31590

topo_two_machnetds
topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B" --port "$PORT"
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/client.log" \
	"$MN_BIN/tests/flow_end" "$IP_A" "$IP_B" "$PORT"
CLIENT=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/client.log" "flow_end: ready" 20 "$CLIENT" ||
	topo_fail "flow_end did not get its echoes"
# The server's detach closes both flows.
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0 on SIGTERM"
topo_wait_pid "$CLIENT" 30 || topo_fail "flow_end failed"
cat "$TOPO_DIR/client.log"
echo "PASS: flow_end ($TOPO_MODE)"
