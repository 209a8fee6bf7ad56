#!/usr/bin/env bash
# test_mtu.sh: jumbo frames where the link has them, and peers of different
# MTUs that still talk (the MSS each offers in its SYN or SYNACK):
#  - both hosts on links with a large MTU (af_packet: 9000, with 9216-byte
#    PACKET_MMAP frames; af_xdp: 3000, as a veth with XDP takes at most
#    about 3500) and net.mtu 9000: each machnetd says it uses the link's
#    MTU, and 64 KiB messages go in a sixth of the packets of MTU 1500;
#  - host B back on MTU 1500: A, still on its large MTU, sends B segments
#    no larger than B's MSS, both ways, and nothing is lost.
#   usage: test_mtu.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31760
MSGS=200
SIZE=65536
if [ "$TOPO_MODE" = packet ]; then
	JUMBO=9000
	DEVARGS=",framesz=9216,blocksz=36864"
else
	JUMBO=3000
	DEVARGS=
fi
# Buffers of about 9.5 KiB: a smaller pool, so that two fit the hugepages.
POOL=--resources.pool_size=16383

topo_two_hosts || topo_fail "cannot build the two-host topology"
IP_A=10.99.0.1
IP_B=10.99.0.2
INST_A=$(topo_instance a)
INST_B=$(topo_instance b)

start_host() {
	local ns=$1 inst=$2 ip=$3 ifc=$4 mtu=$5 vdev
	ip -n "$ns" link set "$ifc" mtu "$mtu" || return 1
	vdev="$(topo_vdev "$TOPO_MODE" "$ifc")$DEVARGS"
	start_machnetd "$ns" "$inst" "$ip" "$ifc" "$TOPO_MODE" --net.mtu=9000 $POOL \
		"--machnet.eal_args=--no-pci --lcores=0@(0,1),1@(0,1) --vdev=$vdev"
}

# The MTU machnetd INST said it uses.
mtu_of() {
	sed -n 's/^machnetd: MTU \([0-9]*\).*/\1/p' "$TOPO_DIR/machnetd.$1.log"
}

# Runs MSGS pingpongs of SIZE bytes from A; prints A's packets sent.
exchange() {
	local before
	before=$(topo_counter "$INST_A" tx_packets)
	topo_run "$TOPO_NS_A" "$INST_A" timeout 60 "$MN_BIN/pingpong" --client \
		--local $IP_A --remote $IP_B --port $PORT --size $SIZE --window 8 \
		--count $MSGS --timeout 40 >"$TOPO_DIR/client.log" 2>&1 ||
		topo_fail "pingpong of $SIZE-byte messages failed: $(tail -n 2 "$TOPO_DIR/client.log")"
	echo $(($(topo_counter "$INST_A" tx_packets) - before))
}

start_host "$TOPO_NS_A" "$INST_A" $IP_A "$TOPO_IF_A" $JUMBO || topo_fail "machnetd on A"
start_host "$TOPO_NS_B" "$INST_B" $IP_B "$TOPO_IF_B" $JUMBO || topo_fail "machnetd on B"
[ "$(mtu_of "$INST_A")" = $JUMBO ] && [ "$(mtu_of "$INST_B")" = $JUMBO ] ||
	topo_fail "machnetd did not take the link's MTU $JUMBO: A $(mtu_of "$INST_A"), B $(mtu_of "$INST_B")"
topo_pingpong_server "$TOPO_NS_B" "$INST_B" $IP_B --port $PORT
jumbo_pkts=$(exchange)
# Each message one way, in segments of the MSS; acks ride along or go alone.
segs=$(((SIZE + JUMBO - 77) / (JUMBO - 76)))
echo "mtu: MTU $JUMBO both ends: $jumbo_pkts packets from A for $MSGS messages of $SIZE B ($segs segments each)"
[ "$jumbo_pkts" -le $((MSGS * (segs + 4))) ] ||
	topo_fail "$jumbo_pkts packets for $MSGS messages: the large MTU was not used"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0"

stop_machnetd "$INST_B"
ip -n "$TOPO_NS_B" link set dev "$TOPO_IF_B" xdp off 2>/dev/null
start_host "$TOPO_NS_B" "$INST_B" $IP_B "$TOPO_IF_B" 1500 || topo_fail "machnetd on B at MTU 1500"
[ "$(mtu_of "$INST_B")" = 1500 ] || topo_fail "B did not keep to its link's MTU 1500"
topo_pingpong_server "$TOPO_NS_B" "$INST_B" $IP_B --port $PORT
mixed_pkts=$(exchange)
echo "mtu: A at $JUMBO, B at 1500: $mixed_pkts packets from A"
[ "$mixed_pkts" -ge $((MSGS * SIZE / 1424)) ] ||
	topo_fail "A sent $mixed_pkts packets: larger than B's MSS"
retrans=$(topo_counter "$INST_A" tx_retransmits)
# Segments larger than B's link would all be dropped, every one sent again;
# a few retransmissions are af_packet's receive ring overflowing in a burst.
[ $((retrans * 20)) -lt "$mixed_pkts" ] ||
	topo_fail "A retransmitted $retrans of $mixed_pkts segments: B dropped what it could not take"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0 on SIGTERM"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0 on SIGTERM"
echo "mtu: pass"
