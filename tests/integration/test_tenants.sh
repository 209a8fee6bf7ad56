#!/usr/bin/env bash
# test_tenants.sh: tenants of one machnetd cannot take from each other:
#  - a process at its channel limit gets ENOSPC, and another can attach;
#  - a tenant that copies another's channel index and generation (read
#    from the shared state) is refused (EBADF) and the owner keeps serving;
#  - a tenant killed with SIGKILL while another makes control calls
#    without a pause, with unread messages, is reclaimed (channels,
#    listeners, buffers) in 1 s.
#   usage: test_tenants.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
LIMIT=4
PORT=31700

topo_two_machnetds --resources.channels_per_process=$LIMIT

# 1. The channel limit.
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/holder.log" \
	"$MN_BIN/tests/tenant" hold $LIMIT "$IP_A" $PORT
HOLDER=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/holder.log" "tenant: holding $LIMIT" 20 "$HOLDER" ||
	topo_fail "a process did not get exactly $LIMIT channels"
topo_run "$TOPO_NS_A" "$INST_A" "$MN_BIN/tests/tenant" attach ||
	topo_fail "another process could not attach beside a full one"
echo "tenants: limit $LIMIT per process holds, another process attaches"

# 2. A forged handle: the forger acts on the pingpong server's channel.
topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B" --port $PORT
topo_run "$TOPO_NS_B" "$INST_B" "$MN_BIN/tools/forge" "$SERVER" $PORT \
	>"$TOPO_DIR/forge.log" 2>&1 || topo_fail "forge: $(cat "$TOPO_DIR/forge.log")"
cat "$TOPO_DIR/forge.log"
topo_run "$TOPO_NS_A" "$INST_A" timeout 30 "$MN_BIN/pingpong" --client --local "$IP_A" \
	--remote "$IP_B" --port $PORT --count 100 >"$TOPO_DIR/client.log" 2>&1 ||
	topo_fail "the forger's victim stopped serving"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0"
idle_pool=$(topo_counter "$INST_A" pool_free) || topo_fail "no pool_free"

# 3. Reaping under a storm of control calls.
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/storm.log" \
	"$MN_BIN/tests/tenant" storm 6 "$IP_A" $((PORT + 1))
STORM=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/storm.log" "storming" 20 "$STORM" ||
	topo_fail "the storm did not start"
# The holder never reads: what B sends it waits in A's buffers.
topo_run "$TOPO_NS_B" "$INST_B" timeout 30 "$MN_BIN/tests/tenant" send \
	"$IP_B" "$IP_A" $PORT 300 4000 || topo_fail "sending to the holder"
sleep 0.5
held=$((idle_pool - $(topo_counter "$INST_A" pool_free)))
echo "tenants: the holder holds $held buffers of A's pool"
[ "$held" -ge 600 ] || topo_fail "the holder holds only $held buffers"
before=$(topo_counter "$INST_A" channels_attached)
kill -KILL "$HOLDER"
topo_wait_pid "$HOLDER" 5
start=$(date +%s%N)
gone=
for ((i = 0; i < 40; i++)); do
	n=$(topo_counter "$INST_A" channels_attached)
	if [ "$n" -eq $((before - LIMIT)) ]; then
		gone=$((($(date +%s%N) - start) / 1000000))
		break
	fi
	sleep 0.05
done
[ -n "$gone" ] || topo_fail "a killed tenant's $LIMIT channels were not reclaimed within 2 s ($n of $before attached)"
echo "tenants: killed tenant reclaimed in $gone ms under a control storm"
[ "$gone" -le 1000 ] || topo_fail "reclaiming took $gone ms, more than 1 s"
topo_wait_pid "$STORM" 20 || topo_fail "the storm tenant failed"
cat "$TOPO_DIR/storm.log"
# Frames in flight (an ack, an ARP reply) hold a buffer for a moment.
for ((i = 0; i < 20; i++)); do
	pool=$(topo_counter "$INST_A" pool_free)
	[ "$pool" -eq "$idle_pool" ] && break
	sleep 0.1
done
[ "$pool" -eq "$idle_pool" ] || topo_fail "pool_free $pool, idle $idle_pool"
echo "PASS: tenants ($TOPO_MODE)"
