# Shared by the shell test suites: PASS/FAIL bookkeeping and the closing count line.
# A suite defines test_* functions and calls run_tests; each test returns non-zero to fail
# and may call `fail "reason"` to say why.

passed=0
failed=0
# Each test runs in a subshell inside an `if`, where bash ignores set -e; fail ends the test.
fail() {
	echo "FAILURE: $*"
	exit 1
}

run_tests() {
	suite=$1
	shift
	for t in "$@"; do
		if ( set -e; "$t" ) >"$LOGDIR/$t.log" 2>&1; then
			echo "PASS $suite/${t#test_}"
			passed=$((passed + 1))
		else
			reason=$(grep '^FAILURE: ' "$LOGDIR/$t.log" | tail -n 1 | cut -c10-)
			echo "FAIL $suite/${t#test_}: ${reason:-see $LOGDIR/$t.log}"
			failed=$((failed + 1))
		fi
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
