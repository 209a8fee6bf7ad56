#!/usr/bin/env bash
# run_unit.sh: runs every unit test binary (Check) of a build and sums up,
# so that `make test` has one place to read the unit results from.
#   usage: tests/run_unit.sh BUILDDIR
set -uo pipefail

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILDDIR" >&2
	exit 2
fi
cd "$(dirname "$0")/.." || exit 1
build=$1

passed=0
failed=0
for bin in "$build"/tests/test_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	out=$(timeout --kill-after=5 "$UNIT_TIMEOUT" "$bin" 2>&1)
	rc=$?
	summary=$(grep -E '^[0-9]+%: Checks:' <<<"$out" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$summary" ]; then
		echo "$name: $summary"
		passed=$((passed + 1))
		continue
	fi
	[ "$rc" -eq 124 ] && summary="timed out after ${UNIT_TIMEOUT} s"
	echo "$name: ${summary:-no Check summary} (exit $rc)"
	[ -n "$out" ] && grep -v -E '^(Running suite|[0-9]+%: Checks:)' <<<"$out" |
		head -n 30 | sed 's/^/    /'
	failed=$((failed + 1))
done
echo "unit: $passed passed, $failed failed"
[ $((passed + failed)) -gt 0 ] || echo "unit: no test binaries in $build/tests" >&2
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
