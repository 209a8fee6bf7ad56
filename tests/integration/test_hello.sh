#!/usr/bin/env bash
# test_hello.sh: the hello_world example works as its comment says: the
# server prints "Hello World!" and the client prints the echo and exits 0.
#   usage: test_hello.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

topo_two_machnetds
topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/server.log" \
	"$MN_BIN/hello_world" --local "$IP_B"
SERVER=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$SERVER" ||
	topo_fail "hello_world server did not start"

topo_run "$TOPO_NS_A" "$INST_A" timeout 20 "$MN_BIN/hello_world" \
	--local "$IP_A" --remote "$IP_B" >"$TOPO_DIR/client.log" 2>&1 ||
	topo_fail "hello_world client failed"
cat "$TOPO_DIR/client.log"
grep -qF "reply \"Hello World!\" from $IP_B:31580" "$TOPO_DIR/client.log" ||
	topo_fail "client did not print the echo"
topo_wait_log "$TOPO_DIR/server.log" "received \"Hello World!\" from $IP_A:" 5 \
	"$SERVER" || topo_fail "server did not print the message"
cat "$TOPO_DIR/server.log"

topo_stop_app "$SERVER" || topo_fail "hello_world server did not exit 0 on SIGTERM"
echo "PASS: hello ($TOPO_MODE)"
