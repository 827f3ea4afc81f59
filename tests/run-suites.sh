#!/usr/bin/env bash
# Runs the named test suites (unit, sanitize, cli, interop, matrix, oneliner, fuzz, e2e), shows their PASS/FAIL lines and ends
# with one total line "N passed, N failed". A suite that dies without its count line counts
# as one failure. Exit status is non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
total_passed=0
total_failed=0

run_suite() {
	case $1 in
	unit) "${UNIT_TESTS:-$BUILD/host/unit-tests}" ;;
	cli) tests/cli/run.sh ;;
	interop) tests/interop/run.sh ;;
	matrix) tests/matrix/run.sh ;;
	oneliner) tests/oneliner/run.sh ;;
	fuzz) make -s BUILD="$BUILD" fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}" ;;
	e2e) KEXE=$BUILD/kexe tests/e2e/run.sh ;;
	sanitize) make -s SANITIZE=1 BUILD="$BUILD" "$BUILD/host-san/unit-tests" >&2 &&
		"$BUILD/host-san/unit-tests" ;;
	*) echo "unknown suite $1" >&2; return 2 ;;
	esac
}

for suite in "$@"; do
	echo "== $suite"
	run_suite "$suite" 2>"$LOGS/$suite.stderr" | tee "$LOGS/$suite.out" | grep -E '^(PASS|FAIL|SKIP) '
	status=${PIPESTATUS[0]}
	count=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGS/$suite.out" | tail -n 1)
	if [ -z "$count" ]; then
		echo "FAIL $suite: the suite stopped without a result (see $LOGS/$suite.stderr)"
		tail -n 5 "$LOGS/$suite.stderr"
		total_failed=$((total_failed + 1))
		continue
	fi
	total_passed=$((total_passed + ${count%% passed*}))
	count=${count#*, }
	total_failed=$((total_failed + ${count%% failed}))
	if [ "$status" -ne 0 ] && [ "${count%% failed}" -eq 0 ]; then
		# e.g. a sanitizer's leak report after the last test
		echo "FAIL $suite: exited $status after its tests (see $LOGS/$suite.stderr)"
		total_failed=$((total_failed + 1))
	fi
done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
