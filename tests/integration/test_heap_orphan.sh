#!/usr/bin/env bash
# test_heap_orphan.sh: an application killed while it holds the lock of
# machnetd's shared hugepage heap does not wedge the instance. DPDK's heap
# lock is a spinlock in shared memory with no owner recorded: a secondary
# killed inside rte_eal_init() (or anything else that allocates) leaves it
# taken, and every application started afterwards spins in machnet_init()
# for ever. The tool dies inside the join phase with the lock held (it
# dumps the heap into a stream that kills it mid-dump); machnetd must see
# the lock orphaned, free it, count it, and the next application must
# attach, connect and send as before.
#   usage: test_heap_orphan.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31740

topo_two_hosts || topo_fail "cannot build the two-host topology"
INST=$(topo_instance a)
IP=10.99.0.1
start_machnetd "$TOPO_NS_A" "$INST" $IP "$TOPO_IF_A" "$TOPO_MODE" ||
	topo_fail "machnetd on host A"
topo_pingpong_server "$TOPO_NS_A" "$INST" $IP --port $PORT
topo_run "$TOPO_NS_A" "$INST" timeout 20 "$MN_BIN/tools/heap_holder" \
	>"$TOPO_DIR/holder.log" 2>&1
rc=$?
[ "$rc" -eq 137 ] || topo_fail "the heap holder did not die by SIGKILL (exit $rc)"
start=$SECONDS
topo_run "$TOPO_NS_A" "$INST" timeout 20 "$MN_BIN/tests/app_exit" 2 exit \
	$IP $IP $PORT >"$TOPO_DIR/app.log" 2>&1 ||
	topo_fail "an application started after the holder died did not get through"
echo "heap_orphan: the next application attached and sent after $((SECONDS - start)) s"
n=$(topo_counter "$INST" heap_lock_recoveries) || topo_fail "no heap_lock_recoveries counter"
[ "$n" -eq 1 ] || topo_fail "heap_lock_recoveries is $n, not 1"
echo '/eal/heap_info,0' | timeout 10 dpdk-telemetry.py -f "$INST" >/dev/null 2>&1 ||
	topo_fail "machnetd's heap is still locked for its own telemetry"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0"
stop_machnetd "$INST" || topo_fail "machnetd did not exit 0 on SIGTERM"
echo "heap_orphan: pass"
