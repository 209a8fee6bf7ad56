#!/usr/bin/env bash
# test_telemetry.sh: a running machnetd answers /machnet/counters on DPDK's
# telemetry socket, and the counters follow what happened on the wire: a
# kernel host pings it (ARP and ICMP echo) and sends it a UDP datagram too
# short to be Machnet (a malformed drop; the kernel's own IPv6 chatter lands
# there too, so only the increase is checked).
#   usage: test_telemetry.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
IP_M=10.99.0.1

# Fails unless counter $2 of instance $1 satisfies the awk condition $3 on v.
expect() {
	local v
	v=$(topo_counter "$1" "$2") || topo_fail "no counter $2 from /machnet/counters"
	echo "telemetry: $2 = $v"
	awk -v v="$v" "BEGIN { exit !($3) }" || topo_fail "$2 = $v, expected $3"
}

topo_kernel_host 10.99.0.2/24 || topo_fail "cannot build the kernel-host topology"
INST_M=$(topo_instance m)
start_machnetd "$TOPO_NS_M" "$INST_M" "$IP_M" "$TOPO_IF_M" "$TOPO_MODE" ||
	topo_fail "machnetd on host M"
expect "$INST_M" pool_size "v == 65535"
ip netns exec "$TOPO_NS_K" ping -n -c 3 -i 0.2 -W 2 "$IP_M" >/dev/null ||
	topo_fail "ping from the kernel host to $IP_M"
malformed=$(topo_counter "$INST_M" rx_malformed) || topo_fail "no rx_malformed"
ip netns exec "$TOPO_NS_K" bash -c "echo short >/dev/udp/$IP_M/31580" ||
	topo_fail "cannot send a UDP datagram from the kernel host"
sleep 0.5
expect "$INST_M" icmp_echo_replies "v == 3"
expect "$INST_M" arp_replies_sent "v >= 1"
expect "$INST_M" rx_packets "v >= 5"
expect "$INST_M" rx_malformed "v >= $malformed + 1"
expect "$INST_M" rx_dropped "v >= 1"
expect "$INST_M" pool_free "v > 0 && v <= 65535"
expect "$INST_M" channels_attached "v == 0"
stop_machnetd "$INST_M" || topo_fail "machnetd did not exit 0 on SIGTERM"
echo "PASS: telemetry ($TOPO_MODE)"
