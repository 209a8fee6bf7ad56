#!/usr/bin/env bash
# test_ping.sh: an ordinary kernel host can ping a machnetd address, which
# needs machnetd's ARP and ICMP echo. The topology is the same in both
# modes; the PMD underneath is not.
#   usage: test_ping.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
IP_M=10.99.0.1

topo_kernel_host 10.99.0.2/24 || topo_fail "cannot build the kernel-host topology"
INST_M=$(topo_instance m)
start_machnetd "$TOPO_NS_M" "$INST_M" "$IP_M" "$TOPO_IF_M" "$TOPO_MODE" ||
	topo_fail "machnetd on host M"
ip netns exec "$TOPO_NS_K" ping -n -c 3 -i 0.2 -W 2 "$IP_M" >"$TOPO_DIR/ping.log" 2>&1
rc=$?
cat "$TOPO_DIR/ping.log"
[ "$rc" -eq 0 ] && grep -q ' 3 received' "$TOPO_DIR/ping.log" ||
	topo_fail "ping from the kernel host to $IP_M"
stop_machnetd "$INST_M" || topo_fail "machnetd did not exit 0 on SIGTERM"
echo "PASS: ping ($TOPO_MODE)"
