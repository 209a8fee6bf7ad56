#!/usr/bin/env bash
# test_machnetctl.sh: usertools/machnetctl against two real machnetds with
# a pingpong flow kept open between them, as an operator would use it:
# - each command's table has the rows the moment calls for: the flow's
#   4-tuple in `flows` on both hosts, the server's channel, listener port
#   and pid on B, the peer's address and MAC in `arp`, the instance in
#   `status`, and the instance found through $MACHNET_INSTANCE alone;
# - --json gives valid JSON with the same values;
# - --watch 1 --count 2 draws two refreshes, the second with the flow's
#   messages per second; --json with --watch gives one document a line;
# - a reader that stops early (| head), and Ctrl-C, end it quietly with 0;
# - an instance that does not run: one line on stderr, nothing on stdout,
#   exit 2; a usage error: exit 2.
#   usage: test_machnetctl.sh xdp|packet
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
MNCTL=$TOPO_ROOT/usertools/machnetctl

# Runs machnetctl with the arguments given, its output in $TOPO_DIR/out
# (and echoed, for the log) and its stderr in $TOPO_DIR/err; fails unless
# it exits 0 with nothing on stderr.
ctl() {
	timeout 20 "$MNCTL" "$@" >"$TOPO_DIR/out" 2>"$TOPO_DIR/err"
	local rc=$?
	echo "---- machnetctl $*"
	cat "$TOPO_DIR/out"
	[ "$rc" -eq 0 ] || topo_fail "machnetctl $* exited $rc: $(cat "$TOPO_DIR/err")"
	[ ! -s "$TOPO_DIR/err" ] || topo_fail "machnetctl $* wrote on stderr: $(cat "$TOPO_DIR/err")"
}

# Fails unless the last output has a line matching the extended regex $1.
has_row() {
	grep -Eq -- "$1" "$TOPO_DIR/out" || topo_fail "no line matching '$1' in that table"
}

# Runs the Python condition $1 on the last output, parsed as JSON (r), with
# the remaining arguments in a; fails unless it holds.
json_ok() {
	local cond=$1
	shift
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = sys.argv[3:]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$TOPO_DIR/out" "$cond" "$@" ||
		topo_fail "the JSON does not satisfy: $cond"
}

mac_of() {
	sed -n 's/^machnetd: ready .* mac=\([0-9A-Fa-f:]*\).*/\1/p' "$TOPO_DIR/machnetd.$1.log"
}

topo_pingpong_pair
MAC_A=$(mac_of "$INST_A")
MAC_B=$(mac_of "$INST_B")

ctl -i "$INST_A" status
has_row "^instance +$INST_A\$"
has_row "^ip +$IP_A\$"
has_row "^mac +$MAC_A\$"
has_row "^pmd +net_af_$TOPO_MODE\$"
has_row "^channels +1 attached\$"
has_row "^rx_packets +[1-9][0-9]*\$"
ctl -i "$INST_A" --json status
json_ok 'r["/machnet/info"]["instance"] == a[0] and r["/machnet/info"]["ip"] == a[1]
	and r["/machnet/counters"]["channels_attached"] == 1' "$INST_A" "$IP_A"

ctl -i "$INST_A" flows
has_row "^LOCAL +REMOTE +CH +STATE +CWND +SRTT_US +RTO_US +TX_MSGS +TX_BYTES +RX_MSGS +RX_BYTES +RETX +TIMEOUTS +AGE_S\$"
has_row "^$IP_A:[0-9]+ +$IP_B:31580 +[0-9]+ +established "
port=$(sed -n "s/^$IP_A:\([0-9]*\) .*/\1/p" "$TOPO_DIR/out")
ctl -i "$INST_B" flows
has_row "^$IP_B:31580 +$IP_A:$port +[0-9]+ +established "
ctl -i "$INST_A" --json flows
json_ok 'r["/machnet/flows"]["flows"] == 1 and r["/machnet/flows"]["local"] == [a[0]]
	and r["/machnet/flows"]["remote"] == [a[1]]
	and r["/machnet/flows"]["tx_msgs"][0] > 0' "$IP_A:$port" "$IP_B:31580"

ctl -i "$INST_B" channels
has_row "^CH +PID +FLOWS +LISTEN "
has_row "^ *[0-9]+ +$SERVER +1 +1 +[1-9]"
ctl -i "$INST_B" --json channels
json_ok 'r["/machnet/channels"]["pid"] == [int(a[0])]' "$SERVER"

ctl -i "$INST_B" listeners
has_row "^IP +PORT +CH +PID +PENDING\$"
has_row "^$IP_B +31580 +[0-9]+ +$SERVER +0/[0-9]+\$"
ctl -i "$INST_A" listeners
[ "$(wc -l <"$TOPO_DIR/out")" -eq 1 ] || topo_fail "A lists a listener it does not have"
ctl -i "$INST_B" --json listeners
json_ok 'r["/machnet/listeners"]["port"] == [31580] and r["/machnet/listeners"]["pid"] == [int(a[0])]' "$SERVER"

ctl -i "$INST_A" arp
has_row "^$IP_B +$MAC_B +resolved +[0-9.]+ +0\$"
MACHNET_INSTANCE=$INST_B ctl arp
has_row "^$IP_A +$MAC_A +resolved "
ctl -i "$INST_A" --json arp
json_ok 'r["/machnet/arp"]["ip"] == [a[0]] and r["/machnet/arp"]["mac"] == [a[1]]' "$IP_B" "$MAC_B"

ctl -i "$INST_A" counters
has_row "^msgs_from_apps +[1-9][0-9]*\$"
has_row "^pool_size +65535\$"

# Two refreshes, one second apart: the second has the flow's rates.
ctl -i "$INST_A" --watch 1 --count 2 flows
[ "$(grep -c '^Every 1s: machnetctl flows' "$TOPO_DIR/out")" -eq 2 ] ||
	topo_fail "--watch 1 --count 2 did not draw two refreshes"
has_row "TX_MSG/s +TX_B/s +RX_MSG/s +RX_B/s\$"
has_row "^$IP_A:$port .* - +- +- +-\$"
has_row "^$IP_A:$port .* [1-9][0-9]* +[1-9][0-9]* +[1-9][0-9]* +[1-9][0-9]*\$"
ctl -i "$INST_A" --watch 0.5 --count 2 counters
has_row "^rx_packets +[0-9]+ +[1-9][0-9]*\$"
ctl -i "$INST_A" --json --watch 0.2 --count 3 counters
[ "$(wc -l <"$TOPO_DIR/out")" -eq 3 ] || topo_fail "--json --watch did not give one line per refresh"
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    assert json.loads(line)["/machnet/counters"]["pool_size"] == 65535' "$TOPO_DIR/out" ||
	topo_fail "--json --watch lines are not JSON replies"

# A reader that goes away, and Ctrl-C: no traceback, exit 0.
timeout 20 "$MNCTL" -i "$INST_A" --watch 0.1 --count 100 counters 2>"$TOPO_DIR/err" | head -1 >/dev/null
[ "${PIPESTATUS[0]}" -eq 0 ] && [ ! -s "$TOPO_DIR/err" ] ||
	topo_fail "machnetctl | head: $(cat "$TOPO_DIR/err")"
# Background jobs of a script ignore SIGINT unless given it back.
env --default-signal=INT "$MNCTL" -i "$INST_A" --watch 0.2 flows >/dev/null 2>"$TOPO_DIR/err" &
watcher=$!
sleep 1
kill -INT "$watcher"
wait "$watcher"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$TOPO_DIR/err" ] ||
	topo_fail "Ctrl-C: exit $rc, stderr: $(cat "$TOPO_DIR/err")"

# No such instance: one line, exit 2, nothing on stdout.
timeout 20 "$MNCTL" -i nosuchinstance status >"$TOPO_DIR/out" 2>"$TOPO_DIR/err"
rc=$?
cat "$TOPO_DIR/err"
[ "$rc" -eq 2 ] || topo_fail "a missing instance exited $rc, not 2"
[ ! -s "$TOPO_DIR/out" ] || topo_fail "a missing instance printed on stdout"
[ "$(wc -l <"$TOPO_DIR/err")" -eq 1 ] &&
	grep -q '^machnetctl: no machnetd instance "nosuchinstance" (.*/nosuchinstance/dpdk_telemetry.v2: No such file or directory)$' "$TOPO_DIR/err" ||
	topo_fail "a missing instance did not get one clear line"
timeout 20 "$MNCTL" -i "$INST_A" nosuchcommand >/dev/null 2>&1
[ $? -eq 2 ] || topo_fail "a usage error did not exit 2"

topo_stop_app "$CLIENT" # interrupted: it exits 1, as it should
topo_stop_app "$SERVER" || topo_fail "pingpong server did not exit 0 on SIGTERM"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0 on SIGTERM"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0 on SIGTERM"
echo "PASS: machnetctl ($TOPO_MODE)"
