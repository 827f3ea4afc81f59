# SHA-256 with the CPU's instructions (issue 24; lib/sha256_impl.h), sourced by tests/cli/run.sh.
# The unit tests compare SHA-NI with the portable code where this CPU has SHA-NI; the ARMv8 SHA2
# code runs here only under qemu-aarch64, as build/sha256-test-aarch64 (aarch64.mk: the unit
# runner with tests/unit/test_sha256.c alone). The loaders' whole-file check must give the same
# verdicts with the CPU's code and with KEXE_SHA256_IMPL=portable.

# sha256_arm64_ready: 0 when the arm64 test program and qemu user mode are here.
sha256_arm64_ready() {
	[ -x "$BUILD/sha256-test-aarch64" ] && [ -n "$QEMU_AARCH64" ] && return 0
	echo "skipped: needs build/sha256-test-aarch64 (aarch64.mk) and qemu-user-static"
	return 1
}

test_sha256_armv8_instructions_match_portable_under_qemu() {
	sha256_arm64_ready || return 0
	# qemu's default CPU ("max") has FEAT_SHA256: the test must say it compared armv8-sha2
	run_arm64 "$BUILD/sha256-test-aarch64" sha256 >"$WORK/out" 2>&1 ||
		fail "the arm64 SHA-256 tests failed: $(grep -v '^PASS' "$WORK/out" | head -c 600)"
	cat "$WORK/out"
	grep -qx '  sha256: armv8-sha2 against portable' "$WORK/out" ||
		fail "the ARMv8 SHA2 code did not run: $(head -c 600 "$WORK/out")"
	grep -qE '^[1-9][0-9]* passed, 0 failed$' "$WORK/out" || fail "no count line"
	# and the variable forces the portable code there too
	KEXE_SHA256_IMPL=portable run_arm64 "$BUILD/sha256-test-aarch64" sha256_env >"$WORK/out" \
		2>&1 || fail "with KEXE_SHA256_IMPL=portable: $(head -c 600 "$WORK/out")"
	grep -qx '  sha256: chosen here: portable' "$WORK/out" ||
		fail "KEXE_SHA256_IMPL=portable was not obeyed: $(head -c 600 "$WORK/out")"
}

# check_file_sha256_both BUNDLE [RUNNER]: the loader's KEXE_FILE_SHA256 check accepts the
# bundle's digest and refuses another, with the CPU's code and with the portable code.
check_file_sha256_both() {
	local bundle=$1 runner=${2:-} want wrong impl
	want=$(sha256sum <"$bundle" | cut -d' ' -f1)
	wrong=$(printf %s "$want" | tr 0-9a-f 1-9a-f0) # every digit another
	for impl in "" portable; do
		KEXE_SHA256_IMPL=$impl KEXE_FILE_SHA256=$want expect_exit 0 $runner "$bundle" \
			--info || fail "impl '${impl:-cpu}' refused the right digest"
		KEXE_SHA256_IMPL=$impl KEXE_FILE_SHA256=$wrong expect_exit 3 $runner "$bundle" \
			--info || return 1
		err_has "the bundle's SHA-256 is $want, not $wrong" || return 1
	done
}

test_sha256_file_check_same_with_cpu_and_portable_code() {
	# a bundle of several MiB, so most of it goes through the bulk block calls
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --initrd "$IN/initrd-a" \
		--initrd "$IN/initrd-b" --cmdline x -o "$WORK/s.kexe" >/dev/null ||
		fail pack
	check_file_sha256_both "$WORK/s.kexe" || return 1
	arm64_ready >/dev/null || return 0
	"$KEXE" pack --stub "$FAKE_AARCH64" --kernel "$IN/Image" --initrd "$IN/initrd-a" \
		--cmdline x -o "$WORK/s-arm.kexe" >/dev/null || fail "arm64 pack"
	check_file_sha256_both "$WORK/s-arm.kexe" run_arm64
}
