#!/usr/bin/env bash
# run_integration.sh: runs every integration test (or the test_NAME.sh of
# each NAME in $ITEST_TESTS) in both PMD modes (or those in $ITEST_MODES),
# each under a timeout so one hung test cannot stall `make test`, and sums
# up. A test that does not depend on the PMD says so with a line
# "# itest: one mode" and runs in the first mode only.
#   usage: tests/run_integration.sh BUILDDIR   (as root)
set -uo pipefail

ITEST_TIMEOUT=${ITEST_TIMEOUT:-300}
ITEST_MODES=${ITEST_MODES:-xdp packet}
ITEST_TESTS=${ITEST_TESTS:-}

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILDDIR" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "$0: must run as root (namespaces, hugepages, XDP)" >&2
	exit 2
fi
cd "$(dirname "$0")/.." || exit 1
export MN_BUILD=$1

log=$(mktemp /tmp/mnitest.XXXXXX)
trap 'rm -f "$log"' EXIT
passed=0
failed=0
for mode in $ITEST_MODES; do
	for t in tests/integration/test_*.sh tests/compat/test_*.sh; do
		if [ -n "$ITEST_TESTS" ] &&
			! grep -qw -- "$(basename "$t" .sh | sed 's/^test_//')" <<<"$ITEST_TESTS"; then
			continue
		fi
		if [ "$mode" != "${ITEST_MODES%% *}" ] &&
			grep -qx '# itest: one mode' "$t"; then
			continue
		fi
		name="$(basename "$t" .sh) $mode"
		start=$SECONDS
		timeout --kill-after=10 "$ITEST_TIMEOUT" bash "$t" "$mode" >"$log" 2>&1
		rc=$?
		secs=$((SECONDS - start))
		if [ "$rc" -eq 0 ]; then
			echo "PASS $name (${secs} s)"
			passed=$((passed + 1))
			continue
		fi
		[ "$rc" -eq 124 ] && rc="timeout after ${ITEST_TIMEOUT} s"
		echo "FAIL $name (exit $rc, ${secs} s)"
		tail -n 60 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	done
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
