# Shared by the shell test suites: PASS/FAIL bookkeeping and the closing count line.
# A suite defines test_* functions and calls run_tests; each test returns non-zero to fail
# and may call `fail "reason"` to say why.

passed=0
failed=0
# fake_host DIR: a host tree for the fake seam (KEXE_FAKE_ROOT) — root, kexec enabled, no
# lockdown, not in a container, 4 GiB available — and the environment to use it: bundles
# decide to detach from stdin and ssh variables, so tests fix those too.
fake_host() {
	mkdir -p "$1/proc/sys/kernel" "$1/proc/1" "$1/sys/kernel/security"
	echo 0 >"$1/proc/sys/kernel/kexec_load_disabled"
	printf 'MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n' >"$1/proc/meminfo"
	echo '[none] integrity confidentiality' >"$1/sys/kernel/security/lockdown"
	echo '0::/init.scope' >"$1/proc/1/cgroup"
	export KEXE_FAKE_ROOT=$1 KEXE_FAKE_EUID=0
	unset SSH_CONNECTION SSH_CLIENT SSH_TTY
}

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
