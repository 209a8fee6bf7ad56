#!/usr/bin/env bash
# run_fuzz.sh: `make fuzz`'s run: writes the seed corpus afresh, fuzzes the
# packet-input path for SECONDS on one core, and sums up in one line. Exits
# non-zero on a finding, whose input is kept in FUZZDIR/artifacts/.
#   usage: tests/run_fuzz.sh FUZZDIR SECONDS MAXLEN
set -uo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 FUZZDIR SECONDS MAXLEN" >&2
	exit 2
fi
dir=$1
seconds=$2
max_len=$3

rm -rf "$dir/seeds"
"$dir/fuzz_seeds" "$dir/seeds" >"$dir/seeds.log" 2>&1 || {
	cat "$dir/seeds.log" >&2
	echo "fuzz: the seed generator failed" >&2
	exit 1
}
tail -n 1 "$dir/seeds.log"
# corpus/ keeps what earlier runs found, so a longer run goes on from there.
mkdir -p "$dir/corpus" "$dir/artifacts"

log=$dir/fuzz.log
echo "fuzz: ${seconds} s, log in $log"
# One process, one job: the fuzzer takes one core and leaves the other. An
# input takes about a millisecond: the timeout only catches hangs, with room
# for a machine busy with other tests.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
"$dir/fuzz_input" -max_total_time="$seconds" -max_len="$max_len" \
	-timeout=120 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
	"$dir/corpus" "$dir/seeds" >"$log" 2>&1
rc=$?

stat() {
	sed -n "s/^stat::$1: *//p" "$log" | tail -n 1
}
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
if [ "$rc" -ne 0 ] || [ -z "$done_line" ]; then
	grep -E 'ERROR|SUMMARY|runtime error|fuzz world|Test unit written|PANIC' "$log" |
		head -n 20 >&2
	echo "fuzz: FINDING (exit $rc) after $(stat number_of_executed_units) executions;" \
		"inputs in $dir/artifacts/, log in $log" >&2
	echo "fuzz: replay one with $dir/fuzz_input FILE; each finding becomes" \
		"a case of tests/unit/test_fuzz_finds.c" >&2
	exit 1
fi
echo "fuzz: $(stat number_of_executed_units) executions in ${seconds} s" \
	"($(stat average_exec_per_sec)/s), coverage ${cov} edges, ${ft} features," \
	"corpus ${corp} inputs, $(stat new_units_added) new; no finding"
