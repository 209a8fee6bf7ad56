#!/usr/bin/env bash
# test_pingpong.sh: pingpong between two hosts, every byte of every echo
# checked, from one-packet messages to the 8 MiB maximum, so that
# framing, reassembly, windows and retransmission are all exercised.
#   usage: test_pingpong.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

topo_two_machnetds
topo_pingpong_server "$TOPO_NS_B" "$INST_B" "$IP_B"

# count size window timeout
client() {
	echo "client: $1 x $2 B, window $3"
	topo_run "$TOPO_NS_A" "$INST_A" "$MN_BIN/pingpong" --client \
		--local "$IP_A" --remote "$IP_B" --count "$1" --size "$2" \
		--window "$3" --timeout "$4" ||
		topo_fail "pingpong client: $1 x $2 B, window $3"
	kill -0 "$SERVER" 2>/dev/null || topo_fail "pingpong server died"
}

for size in 64 1024 8192; do
	for window in 1 8; do
		client 10000 "$size" "$window" 60
	done
done
client 1000 65536 1 90
client 50 1048576 1 90
client 10 8388608 1 120

topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0 on SIGTERM"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0 on SIGTERM"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0 on SIGTERM"
echo "PASS: pingpong ($TOPO_MODE)"
