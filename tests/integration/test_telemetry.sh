#!/usr/bin/env bash
# test_telemetry.sh: a running machnetd answers its commands on DPDK's
# telemetry socket, and they follow what happened:
# - /machnet/counters: a kernel host pings it (ARP and ICMP echo) and sends
#   it a UDP datagram too short to be Machnet (a malformed drop; the
#   kernel's own IPv6 chatter lands there too, so only the increase is
#   checked);
# - /machnet/flows, /machnet/channels and /machnet/info, on both hosts of
#   a pingpong while it runs: its flow with the right 4-tuple from each end
#   and bytes both ways, the channels of the client and the server with
#   their pids, and what each machnetd said at start-up (MTU, MSS, MAC);
# - /machnet/listeners and /machnet/arp there too: the server's listener
#   with its pid on B and none on A, and each host's peer resolved to the
#   MAC the peer's machnetd started with.
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

# Prints the reply of instance $1 to command $2, and fails on none.
reply() {
	local json
	json=$(topo_telemetry "$1" "$2") || topo_fail "no reply to $2 from $1"
	echo "telemetry: $1 $2 = $json" >&2
	echo "$json"
}

# Runs the Python condition $2 on reply $1 (as r, a dict), with the
# remaining arguments in a; prints what the condition's expression gives
# (a value for later checks) and fails if it is None or False.
check() {
	local json=$1 cond=$2
	shift 2
	python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
a = sys.argv[2:]
v = eval(sys.argv[1])
if v is None or v is False:
    sys.exit(1)
print(v)' "$cond" "$@" <<<"$json"
}

# The one flow in reply $1 from local $2 (an address:port, or an address
# and any port) to remote $3, established, with bytes both ways: prints its
# local port.
FLOW_OK='next((r["local"][i].split(":")[1] for i in range(len(r["local"]))
	if (r["local"][i] == a[0] or r["local"][i].split(":")[0] == a[0])
	and r["remote"][i] == a[1] and r["state"][i] == "established"
	and r["channel"][i] >= 0 and r["tx_bytes"][i] > 0 and r["rx_bytes"][i] > 0
	and r["tx_msgs"][i] > 0 and r["rx_msgs"][i] > 0 and r["cwnd_milli"][i] > 0
	and r["srtt_us"][i] > 0), None) if r["flows"] == 1 else None'

# The channel in reply $1 of pid $2 with one flow and $3 listeners.
CHANNEL_OK='any(r["pid"][i] == int(a[0]) and r["flows"][i] == 1
	and r["listeners"][i] == int(a[1]) and r["tx_msgs"][i] > 0
	and r["rx_bytes"][i] > 0 for i in range(r["channels"]))'

# What instance $1 said in its log at start-up agrees with /machnet/info.
INFO_OK='(r["instance"] == a[0] and r["ip"] == a[1] and r["mtu"] == int(a[2])
	and r["mss"] == int(a[3]) and r["mac"].lower() == a[4].lower()
	and r["pmd"] == a[5] and r["port"] == a[5] + "0" and r["port_id"] == 0
	and r["idle"] == "yield" and r["version"] != ""
	and r["uptime_s"] < 600 and isinstance(r["offloads"], list))'

# The listener in reply $1 on address $2, port $3, of pid $4.
LISTENER_OK='(r["listeners"] == 1 and r["ip"] == [a[0]] and r["port"] == [int(a[1])]
	and r["pid"] == [int(a[2])] and r["pending"] == [0] and r["backlog"] > 0)'

# The ARP entry in reply $1 for address $2, resolved to MAC $3.
ARP_OK='any(r["ip"][i] == a[0] and r["mac"][i].lower() == a[1].lower()
	and r["state"][i] == "resolved" and 0 <= r["age_ms"][i] < 600000
	for i in range(r["entries"]))'

mac_of() {
	sed -n 's/^machnetd: ready .* mac=\([0-9A-Fa-f:]*\).*/\1/p' "$TOPO_DIR/machnetd.$1.log"
}

expect_info() {
	local inst=$1 ip=$2 log=$TOPO_DIR/machnetd.$1.log mtu mss mac driver
	mtu=$(sed -n 's/^machnetd: MTU \([0-9]*\).*/\1/p' "$log")
	mss=$(sed -n 's/^machnetd: ready .* mss=\([0-9]*\).*/\1/p' "$log")
	mac=$(mac_of "$inst")
	driver=net_af_$TOPO_MODE
	check "$(reply "$inst" /machnet/info)" "$INFO_OK" "$inst" "$ip" "$mtu" \
		"$mss" "$mac" "$driver" >/dev/null ||
		topo_fail "/machnet/info of $inst does not match its start-up (MTU $mtu, MSS $mss, MAC $mac, $driver)"
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
check "$(reply "$INST_M" /machnet/flows)" 'r["flows"] == 0 and r["local"] == []' \
	>/dev/null || topo_fail "/machnet/flows lists flows on a host without any"
stop_machnetd "$INST_M" || topo_fail "machnetd did not exit 0 on SIGTERM"

topo_pingpong_pair
sleep 1 # echoes both ways, and a timer tick for the figures that move

port=$(check "$(reply "$INST_A" /machnet/flows)" "$FLOW_OK" "$IP_A" "$IP_B:31580") ||
	topo_fail "/machnet/flows of A does not show the pingpong's flow to $IP_B:31580"
check "$(reply "$INST_B" /machnet/flows)" "$FLOW_OK" "$IP_B:31580" "$IP_A:$port" \
	>/dev/null || topo_fail "/machnet/flows of B does not show the flow from $IP_A:$port"
echo "telemetry: the flow is $IP_A:$port > $IP_B:31580 on both hosts"
check "$(reply "$INST_A" /machnet/channels)" "$CHANNEL_OK" "$CLIENT" 0 >/dev/null ||
	topo_fail "/machnet/channels of A does not show the client's channel (pid $CLIENT)"
check "$(reply "$INST_B" /machnet/channels)" "$CHANNEL_OK" "$SERVER" 1 >/dev/null ||
	topo_fail "/machnet/channels of B does not show the server's channel (pid $SERVER)"
expect_info "$INST_A" "$IP_A"
expect_info "$INST_B" "$IP_B"
check "$(reply "$INST_B" /machnet/listeners)" "$LISTENER_OK" "$IP_B" 31580 "$SERVER" \
	>/dev/null || topo_fail "/machnet/listeners of B does not show the server's (pid $SERVER) on 31580"
check "$(reply "$INST_A" /machnet/listeners)" 'r["listeners"] == 0 and r["port"] == []' \
	>/dev/null || topo_fail "/machnet/listeners of A lists a listener on a host without any"
check "$(reply "$INST_A" /machnet/arp)" "$ARP_OK" "$IP_B" "$(mac_of "$INST_B")" >/dev/null ||
	topo_fail "/machnet/arp of A does not resolve $IP_B to B's MAC"
check "$(reply "$INST_B" /machnet/arp)" "$ARP_OK" "$IP_A" "$(mac_of "$INST_A")" >/dev/null ||
	topo_fail "/machnet/arp of B does not resolve $IP_A to A's MAC"
check "$(reply "$INST_A" /machnet/flows,x)" 'r is None' >/dev/null ||
	topo_fail "/machnet/flows answered a parameter that is no slot"

topo_stop_app "$CLIENT" # interrupted: it exits 1, as it should
kill -0 "$SERVER" 2>/dev/null || topo_fail "pingpong server died"
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0 on SIGTERM"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0 on SIGTERM"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0 on SIGTERM"
echo "PASS: telemetry ($TOPO_MODE)"
