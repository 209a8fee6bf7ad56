#!/usr/bin/env bash
# test_hostile.sh: a hostile host on the link (a raw socket in host A's
# namespace, tests/tools/wire_attack.py) cannot take machnetd down:
#  - 4,200 forged SYNs to a listening port of B, from an address nobody
#    answers for, fill that listener's backlog and nothing else: flows to
#    B's other listener and from B still connect, the handshakes expire,
#    and then the flooded listener takes flows again;
#  - an RST with a guessed seq and a SYN with a new ISN, for every
#    ephemeral port, claiming to come from A, do not end A's flow to B.
# Before, each forged SYN made a flow that never expired (the table was
# full after 4,096) and nine RSTs ended a flow.
#   usage: test_hostile.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31600
OTHER_PORT=31601
PORT_A=31602
SPOOFED_IP=10.99.0.77
SPOOFED_MAC=02:00:00:00:00:77
BACKLOG=128

topo_two_machnetds "--transport.syn_backlog=$BACKLOG"
mac_of() {
	sed -n 's/^machnetd: ready .* mac=\([0-9A-Fa-f:]*\) .*/\1/p' \
		"$TOPO_DIR/machnetd.$1.log"
}
MAC_A=$(mac_of "$INST_A")
MAC_B=$(mac_of "$INST_B")
[ -n "$MAC_A" ] && [ -n "$MAC_B" ] || topo_fail "no MAC in machnetd's ready line"

server() { # NS INST IP PORT: a pingpong server, its pid in TOPO_LAST_PID
	topo_spawn "$1" "$2" "$TOPO_DIR/server.$4.log" \
		"$MN_BIN/pingpong" --server --local "$3" --port "$4"
	topo_wait_log "$TOPO_DIR/server.$4.log" listening 10 "$TOPO_LAST_PID" ||
		topo_fail "pingpong server on port $4 did not start"
}
server "$TOPO_NS_B" "$INST_B" "$IP_B" $PORT
SERVER_B=$TOPO_LAST_PID
server "$TOPO_NS_B" "$INST_B" "$IP_B" $OTHER_PORT
SERVER_B2=$TOPO_LAST_PID
server "$TOPO_NS_A" "$INST_A" "$IP_A" $PORT_A
SERVER_A=$TOPO_LAST_PID

# NAME NS INST LOCAL REMOTE PORT COUNT: a ping-pong that must lose nothing.
pingpong() {
	topo_run "$2" "$3" "$MN_BIN/pingpong" --client --local "$4" --remote "$5" \
		--port "$6" --count "$7" --size 64 --window 1 --timeout 30 \
		>"$TOPO_DIR/$1.log" 2>&1 ||
		topo_fail "ping-pong $1: $(tail -n 2 "$TOPO_DIR/$1.log")"
}

attack() { # SRC_MAC SRC_IP MODE ARGS...
	local src_mac=$1 src_ip=$2
	shift 2
	ip netns exec "$TOPO_NS_A" python3 "$TOPO_ROOT/tests/tools/wire_attack.py" \
		"$TOPO_IF_A" "$src_mac" "$MAC_B" "$src_ip" "$IP_B" $PORT "$@" ||
		topo_fail "wire_attack $*"
}

# 1. The SYN flood.
attack $SPOOFED_MAC $SPOOFED_IP synflood 4200
sleep 0.2
full=$(topo_counter "$INST_B" syn_backlog_full)
echo "hostile: after 4200 forged SYNs, B refused $full for a full backlog"
[ "$full" -ge 1000 ] || topo_fail "the backlog did not bound the flood ($full refused)"
pingpong other_listener "$TOPO_NS_A" "$INST_A" "$IP_A" "$IP_B" $OTHER_PORT 200
pingpong from_flooded "$TOPO_NS_B" "$INST_B" "$IP_B" "$IP_A" $PORT_A 200
sleep 1.5
expired=$(topo_counter "$INST_B" half_open_expired)
[ "$expired" -eq "$BACKLOG" ] ||
	topo_fail "$expired half-open handshakes expired, not the backlog's $BACKLOG"
pingpong flooded_listener "$TOPO_NS_A" "$INST_A" "$IP_A" "$IP_B" $PORT 200
echo "hostile: the flood held $BACKLOG handshakes, which expired; other" \
	"listeners, connects from B and then the flooded port itself worked"

# 2. Blind resets and SYNs against a running flow, which must keep going.
topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/victim.log" "$MN_BIN/pingpong" \
	--client --local "$IP_A" --remote "$IP_B" --port $PORT --count 100000000 \
	--size 64 --window 1 --timeout 120
VICTIM=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/victim.log" "connected" 10 "$VICTIM" ||
	topo_fail "the victim's flow did not connect"
attack "$MAC_A" "$IP_A" blind 49152 65535
echoed=$(topo_counter "$INST_B" msgs_from_apps)
sleep 0.5
kill -0 "$VICTIM" 2>/dev/null ||
	topo_fail "the victim's flow failed: $(tail -n 2 "$TOPO_DIR/victim.log")"
[ "$(topo_counter "$INST_B" msgs_from_apps)" -gt "$echoed" ] ||
	topo_fail "the victim's flow carries nothing after the attack"
challenged=$(topo_counter "$INST_B" challenge_acks)
invalid=$(topo_counter "$INST_B" rst_invalid)
resets=$(topo_counter "$INST_B" flows_reset)
topo_stop_app "$VICTIM"
echo "hostile: blind RST and SYN on every ephemeral port: $invalid RSTs" \
	"dropped, $challenged challenge acks, $resets flows reset; the flow" \
	"still carries messages"
[ "$challenged" -ge 1 ] || topo_fail "the forged SYN never met the flow"
[ "$resets" -eq 0 ] || topo_fail "a forged packet reset a flow"

for pid in $SERVER_A $SERVER_B $SERVER_B2; do
	topo_stop_app "$pid" || topo_fail "a pingpong server"
done
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0"
echo "PASS: hostile ($TOPO_MODE)"
