#!/usr/bin/env bash
# test_stop.sh: when machnetd stops (SIGTERM) under an application that is
# polling machnet_recv, the application's calls fail within a few seconds
# instead of hanging on a primary that is gone.
#   usage: test_stop.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
IP_A=10.99.0.1
MAX_SECS=10

topo_two_hosts || topo_fail "cannot build the two-host topology"
INST_A=$(topo_instance a)
start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" ||
	topo_fail "machnetd on host A"
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/recv_wait.log" \
	"$MN_BIN/tests/recv_wait" "$IP_A" 31590 60
APP=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/recv_wait.log" "recv_wait: waiting" 10 "$APP" ||
	topo_fail "recv_wait did not start"
sleep 1
start=$(date +%s%N)
stop_machnetd "$INST_A" || topo_fail "machnetd did not exit 0 on SIGTERM"
topo_wait_pid "$APP" "$MAX_SECS"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
cat "$TOPO_DIR/recv_wait.log"
[ "$rc" -ne 124 ] || topo_fail "application still waiting ${MAX_SECS} s after machnetd stopped"
[ "$rc" -eq 0 ] || topo_fail "recv_wait exited $rc"
echo "PASS: stop ($TOPO_MODE): application saw the error after $ms ms"
