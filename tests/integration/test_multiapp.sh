#!/usr/bin/env bash
# test_multiapp.sh: two applications attached to one machnetd at once,
# on both hosts, each with its own listener and flows: every application
# must receive only its own messages.
#   usage: test_multiapp.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
FLOWS=3
COUNT=500

topo_two_machnetds

declare -a SERVERS=() CLIENTS=()
for app in 1 2; do
	topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/server$app.log" \
		"$MN_BIN/tests/tagged_app" server "$IP_B" $((5000 + app)) "$app"
	SERVERS+=("$TOPO_LAST_PID")
	topo_wait_log "$TOPO_DIR/server$app.log" "listening" 10 "$TOPO_LAST_PID" ||
		topo_fail "server of app $app did not start"
done
for app in 1 2; do
	topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/client$app.log" \
		"$MN_BIN/tests/tagged_app" client "$IP_A" "$IP_B" \
		$((5000 + app)) "$app" "$FLOWS" "$COUNT"
	CLIENTS+=("$TOPO_LAST_PID")
done
for app in 1 2; do
	topo_wait_pid "${CLIENTS[app - 1]}" 90 || topo_fail "client of app $app"
	cat "$TOPO_DIR/client$app.log"
done
for app in 1 2; do
	topo_stop_app "${SERVERS[app - 1]}" || topo_fail "server of app $app"
	cat "$TOPO_DIR/server$app.log"
done
echo "PASS: multiapp ($TOPO_MODE)"
