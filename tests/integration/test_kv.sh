#!/usr/bin/env bash
# test_kv.sh: the kv example's scripted workload passes against one
# server: two clients at once with four pipelined flows each, then one
# with values up to the 64 KiB maximum. The server must have answered
# every malformed request and end with no key stored, since each client
# deletes what it wrote.
#   usage: test_kv.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
SUMMARY_RE='^summary: ops=[0-9]+ ops_per_s=[0-9]+ p50_us=[0-9.]+ p99_us=[0-9.]+ p999_us=[0-9.]+ max_us=[0-9.]+ errors=0$'
PROBES=7 # malformed requests per client run

topo_two_machnetds
topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/server.log" \
	"$MN_BIN/kv" --local "$IP_B"
SERVER=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/server.log" "listening" 10 "$SERVER" ||
	topo_fail "kv server did not start"

# Spawns a client with the given flags, logging to $TOPO_DIR/$1.log.
spawn_client() {
	local name=$1
	shift
	echo "client $name: $*"
	topo_spawn "$TOPO_NS_A" "$INST_A" "$TOPO_DIR/$name.log" \
		"$MN_BIN/kv" --local "$IP_A" --remote "$IP_B" --timeout 20 "$@"
}

check_client() {
	local name=$1 pid=$2
	topo_wait_pid "$pid" 30 || topo_fail "kv client $name"
	cat "$TOPO_DIR/$name.log"
	grep -qE "$SUMMARY_RE" "$TOPO_DIR/$name.log" ||
		topo_fail "kv client $name: no summary with errors=0"
}

spawn_client one --keys 2000 --flows 4 --window 4
ONE=$TOPO_LAST_PID
spawn_client two --keys 2000 --flows 4 --window 4 --value_size 100
TWO=$TOPO_LAST_PID
check_client one "$ONE"
check_client two "$TWO"
spawn_client big --keys 200 --flows 2 --window 2 --value_size 65536
check_client big "$TOPO_LAST_PID"

topo_stop_app "$SERVER" || topo_fail "kv server did not exit 0 on SIGTERM"
cat "$TOPO_DIR/server.log"
grep -qF ", $((3 * PROBES)) bad requests; 0 keys stored" "$TOPO_DIR/server.log" ||
	topo_fail "kv server: wrong count of bad requests or keys left"
echo "PASS: kv ($TOPO_MODE)"
