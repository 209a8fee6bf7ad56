#!/usr/bin/env bash
# test_noprimary.sh: with no machnetd for the instance, machnet_init fails
# with ENODEV, says so in one line, and the application carries on: both
# for an instance that never ran and for one killed without a chance to
# clean up, whose runtime files are still there.
#   usage: test_noprimary.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"

# instance, description
check_no_primary() {
	local out=$TOPO_DIR/no_primary.$1.out rc lines
	echo "no machnetd: $2"
	MACHNET_INSTANCE=$1 timeout 30 "$MN_BIN/tests/no_primary" >"$out" 2>&1
	rc=$?
	cat "$out"
	[ "$rc" -eq 0 ] || topo_fail "$2: no_primary exited $rc"
	lines=$(sed '/^no_primary: first call done$/q' "$out" | grep -vc '^no_primary:')
	[ "$lines" -eq 1 ] ||
		topo_fail "$2: machnet_init printed $lines lines for one failure, not 1"
}

INST=$(topo_instance none)
check_no_primary "$INST" "instance never started"
rm -rf "/var/run/dpdk/$INST"

topo_two_hosts || topo_fail "cannot build the two-host topology"
INST=$(topo_instance a)
start_machnetd "$TOPO_NS_A" "$INST" 10.99.0.1 "$TOPO_IF_A" "$TOPO_MODE" ||
	topo_fail "machnetd on host A"
kill -KILL "${TOPO_MACHNETD[$INST]}"
wait "${TOPO_MACHNETD[$INST]}" 2>/dev/null
[ -d "/var/run/dpdk/$INST" ] || topo_fail "killed machnetd left no runtime dir to test with"
check_no_primary "$INST" "instance killed, runtime files left behind"
stop_machnetd "$INST"
echo "PASS: noprimary ($TOPO_MODE)"
