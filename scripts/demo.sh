#!/usr/bin/env bash
# demo.sh: shows machnet working end to end on one machine: two namespaced
# hosts, a machnetd on each, pingpong between them, results printed.
#   usage: scripts/demo.sh BUILDDIR   (as root, after scripts/setup.sh)
if [ $# -ne 1 ]; then
	echo "usage: $0 BUILDDIR" >&2
	exit 2
fi
export MN_BUILD=$1
source "$(dirname "$0")/topo.sh"
topo_init
IP_A=10.99.0.1
IP_B=10.99.0.2

# af_xdp is the fast path; af_packet works wherever af_xdp cannot, once
# nothing a failed af_xdp start left attached steals the frames.
start_both() {
	INST_A=$(topo_instance "a$1")
	INST_B=$(topo_instance "b$1")
	start_machnetd "$TOPO_NS_A" "$INST_A" "$IP_A" "$TOPO_IF_A" "$1" &&
		start_machnetd "$TOPO_NS_B" "$INST_B" "$IP_B" "$TOPO_IF_B" "$1" &&
		return 0
	stop_machnetd "$INST_A"
	return 1
}

client() {
	echo "demo: $1 messages of $2 bytes, host A -> host B and back"
	topo_run "$TOPO_NS_A" "$INST_A" "$MN_BIN/pingpong" --client \
		--local "$IP_A" --remote "$IP_B" --count "$1" --size "$2" \
		--idle yield ||
		topo_fail "pingpong client"
}

topo_two_hosts || topo_fail "cannot build the two-host topology"
echo "demo: hosts $TOPO_NS_A ($IP_A) and $TOPO_NS_B ($IP_B), veth $TOPO_IF_A <-> $TOPO_IF_B"
if start_both xdp; then
	echo "demo: machnetd on both hosts, af_xdp"
elif ip -n "$TOPO_NS_A" link set dev "$TOPO_IF_A" xdp off &&
	ip -n "$TOPO_NS_B" link set dev "$TOPO_IF_B" xdp off &&
	start_both packet; then
	echo "demo: af_xdp did not start; machnetd on both hosts, af_packet"
else
	topo_fail "machnetd did not start with af_xdp or af_packet"
fi
topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/server.log" \
	"$MN_BIN/pingpong" --server --local "$IP_B" --idle yield
topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$TOPO_LAST_PID" ||
	topo_fail "pingpong server did not start"
client 10000 64
client 1000 65536
echo "demo: done"
