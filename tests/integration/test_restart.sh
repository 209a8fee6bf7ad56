#!/usr/bin/env bash
# test_restart.sh: machnetd killed with SIGKILL while an application is
# attached. The application gets ESHUTDOWN from every call at once, and
# one line telling it to restart, but no line of DPDK's. A new machnetd of
# the same instance refuses to start while that application still maps
# the old one's memory, naming it; once it is gone the new machnetd
# starts and new applications work.
#   usage: test_restart.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31730

topo_two_machnetds
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/orphan.log" \
	"$MN_BIN/tests/tenant" orphan "$IP_A" $PORT "$IP_B"
ORPHAN=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/orphan.log" "tenant: ready" 20 "$ORPHAN" ||
	topo_fail "the application did not start"

old=${TOPO_MACHNETD[$INST_A]}
kill -KILL "$old"
wait "$old" 2>/dev/null
topo_wait_log "$TOPO_DIR/orphan.log" "tenant: orphaned" 10 "$ORPHAN" ||
	topo_fail "the application did not get ESHUTDOWN from every call"
cat "$TOPO_DIR/orphan.log"
[ "$(grep -c 'restart this application' "$TOPO_DIR/orphan.log")" -eq 1 ] ||
	topo_fail "the application was not told once to restart"
! grep -q 'EAL' "$TOPO_DIR/orphan.log" ||
	topo_fail "DPDK's log reached the application"

# The old application still maps the dead machnetd's memory.
ip netns exec "$TOPO_NS_A" "$MN_BIN/machnetd" -c "$MACHNETD_CONF" \
	"--machnet.instance=$INST_A" "--net.ip=$IP_A" \
	"--machnet.eal_args=--no-pci --vdev=$(topo_vdev "$TOPO_MODE" "$TOPO_IF_A")" \
	</dev/null >"$TOPO_DIR/refused.log" 2>&1
rc=$?
cat "$TOPO_DIR/refused.log"
[ "$rc" -ne 0 ] || topo_fail "a second machnetd started beside the old one's application"
grep -q "is still in use by pid $ORPHAN (tenant)" "$TOPO_DIR/refused.log" ||
	topo_fail "machnetd did not name the application that holds the instance"
[ "$(wc -l <"$TOPO_DIR/refused.log")" -eq 1 ] ||
	topo_fail "the refusal took more than one line"

topo_stop_app "$ORPHAN" 1
start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$TOPO_MODE" ||
	topo_fail "machnetd did not start once the old application was gone"
topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B" --port $PORT
topo_run "$TOPO_NS_A" "$INST_A" timeout 30 "$MN_BIN/pingpong" --client \
	--local "$IP_A" --remote "$IP_B" --port $PORT --count 100 \
	>"$TOPO_DIR/client.log" 2>&1 || topo_fail "a new application failed"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0"
echo "PASS: restart ($TOPO_MODE)"
