#!/usr/bin/env bash
# test_noprimary.sh: with no machnetd for the instance, machnet_init fails
# with ENODEV, says so in one line, and the application carries on.
# No network is involved, so both modes run the same check.
#   usage: test_noprimary.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
INST=$(topo_instance none)
OUT=$TOPO_DIR/no_primary.log

MACHNET_INSTANCE=$INST timeout 30 "$MN_BIN/tests/no_primary" >"$OUT" 2>&1
rc=$?
rm -rf "/var/run/dpdk/$INST"
cat "$OUT"
[ "$rc" -eq 0 ] || topo_fail "no_primary exited $rc"
lines=$(sed '/^no_primary: first call done$/q' "$OUT" | grep -vc '^no_primary:')
[ "$lines" -eq 1 ] ||
	topo_fail "machnet_init printed $lines lines for one failure, not 1"
echo "PASS: noprimary ($TOPO_MODE)"
