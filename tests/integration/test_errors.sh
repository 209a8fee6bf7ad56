#!/usr/bin/env bash
# test_errors.sh: refused and unreachable connects, bad addresses, empty
# and oversized sends and unknown flows fail with the documented errno.
#   usage: test_errors.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
IP_ABSENT=10.99.0.77
OPEN_PORT=31580
CLOSED_PORT=31581

topo_two_machnetds
topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B" --port "$OPEN_PORT"
topo_run "$TOPO_NS_A" "$INST_A" timeout 60 "$MN_BIN/tests/api_errors" \
	"$IP_A" "$IP_B" "$OPEN_PORT" "$CLOSED_PORT" "$IP_ABSENT" ||
	topo_fail "api_errors"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0 on SIGTERM"
echo "PASS: errors ($TOPO_MODE)"
