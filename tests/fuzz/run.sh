#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS over its corpus (DIR/corpus/NAME, grown across runs)
# and seeds (DIR/seeds/NAME). Prints "PASS fuzz/NAME (N runs)" or "FAIL fuzz/NAME: reason" per
# harness and a closing "N passed, N failed". A crash, sanitizer report, leak, broken invariant,
# timeout (10 s for one input) or out-of-memory fails the harness; the input that did it is kept
# as DIR/artifacts/NAME-*, the whole output in DIR/logs/NAME.log.
# Usage: run.sh DIR SECONDS NAME...
set -u
dir=$1
seconds=$2
shift 2
passed=0
failed=0
mkdir -p "$dir/artifacts" "$dir/logs"
for name in "$@"; do
	log=$dir/logs/$name.log
	mkdir -p "$dir/corpus/$name"
	"$dir/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name-" \
		"$dir/corpus/$name" "$dir/seeds/$name" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS fuzz/$name ($runs runs)"
		passed=$((passed + 1))
		continue
	fi
	reason=$(grep -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "$log")
	artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
	echo "FAIL fuzz/$name: ${reason:-exit status $status}${artifact:+ (input: $artifact)}"
	failed=$((failed + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
