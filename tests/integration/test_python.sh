#!/usr/bin/env bash
# test_python.sh: the Python binding (bindings/python) against real
# machnetd in the two-host topology: its pytest tests on host A with their
# echo server on host B, then the two Python examples, hello.py and
# echo_bench.py (every echoed byte checked).
#   usage: test_python.sh xdp|packet
# itest: one mode
source "$(dirname "$0")/../../scripts/topo.sh"
topo_init "$@"
PORT=31590
CLOSED_PORT=31599
export MACHNET_LIB=$MN_BIN/libmachnet.so.1
PY=/usr/bin/python3
# A sanitized library (make SANITIZE=1) needs its runtime loaded first;
# Python's own allocations at exit are no leaks of ours.
asan=$(ldd "$MACHNET_LIB" | awk '/libasan\.so/ { print $3 }')
[ -z "$asan" ] ||
	PY="env LD_PRELOAD=$asan ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 $PY"
export PYTHONPATH=$TOPO_ROOT/bindings/python PYTHONDONTWRITEBYTECODE=1

topo_two_machnetds
topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/echo.log" \
	$PY "$TOPO_ROOT/bindings/python/tests/echo_server.py" "$IP_B" $PORT
ECHO=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/echo.log" "listening" 20 "$ECHO" ||
	topo_fail "the Python echo server did not start"

topo_run "$TOPO_NS_A" "$INST_A" env MACHNET_TEST_LOCAL="$IP_A" \
	MACHNET_TEST_REMOTE="$IP_B" MACHNET_TEST_PORT=$PORT \
	MACHNET_TEST_CLOSED_PORT=$CLOSED_PORT timeout 240 \
	$PY -m pytest -q -p no:cacheprovider "$TOPO_ROOT/bindings/python/tests" \
	>"$TOPO_DIR/pytest.log" 2>&1 || topo_fail "pytest: $(tail -n 30 "$TOPO_DIR/pytest.log")"
tail -n 1 "$TOPO_DIR/pytest.log"
topo_stop_app "$ECHO" || topo_fail "the Python echo server did not exit 0 on SIGTERM"

topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/hello.log" \
	$PY "$TOPO_ROOT/examples/python/hello.py" --local "$IP_B"
HELLO=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/hello.log" "listening" 20 "$HELLO" ||
	topo_fail "hello.py server did not start"
topo_run "$TOPO_NS_A" "$INST_A" timeout 30 $PY "$TOPO_ROOT/examples/python/hello.py" \
	--local "$IP_A" --remote "$IP_B" >"$TOPO_DIR/hello_client.log" 2>&1 ||
	topo_fail "hello.py client failed"
grep -qF "reply \"Hello World!\" from $IP_B:31580" "$TOPO_DIR/hello_client.log" ||
	topo_fail "hello.py client did not print the echo"
topo_wait_log "$TOPO_DIR/hello.log" "received \"Hello World!\" from $IP_A:" 5 \
	"$HELLO" || topo_fail "hello.py server did not print the message"
topo_stop_app "$HELLO" || topo_fail "hello.py server did not exit 0 on SIGTERM"
echo "python: hello.py works both ways"

topo_spawn "$TOPO_NS_B" "$INST_B" "$TOPO_DIR/bench_server.log" \
	$PY "$TOPO_ROOT/examples/python/echo_bench.py" --server --local "$IP_B"
BENCH=$TOPO_LAST_PID
topo_wait_log "$TOPO_DIR/bench_server.log" "listening" 20 "$BENCH" ||
	topo_fail "echo_bench.py server did not start"
for args in "--size 1024 --count 2000 --window 1" "--size 70000 --count 100 --window 8"; do
	# shellcheck disable=SC2086
	topo_run "$TOPO_NS_A" "$INST_A" timeout 60 $PY \
		"$TOPO_ROOT/examples/python/echo_bench.py" --local "$IP_A" \
		--remote "$IP_B" $args >"$TOPO_DIR/bench.log" 2>&1 ||
		topo_fail "echo_bench.py $args: $(cat "$TOPO_DIR/bench.log")"
	grep "every byte checked" "$TOPO_DIR/bench.log" ||
		topo_fail "echo_bench.py $args printed no result"
done
topo_stop_app "$BENCH" || topo_fail "echo_bench.py server did not exit 0 on SIGTERM"
stop_machnetd "$INST_A" || topo_fail "machnetd A did not exit 0"
stop_machnetd "$INST_B" || topo_fail "machnetd B did not exit 0"
echo "PASS: python ($TOPO_MODE)"
