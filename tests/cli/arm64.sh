# arm64 bundles in the CLI suite (sourced by tests/cli/run.sh). The aarch64 loader runs here
# under qemu-aarch64-static (user mode: the host kernel sees its system calls) only as
# build/stub-aarch64-fake, the loader linked with the fake seam, which cannot kexec or reboot
# anything; the real aarch64 loader only with --dry-run and --info. Tests skip (pass, saying
# why) when the arm64 toolchain or qemu-user-static is missing.
QEMU_AARCH64=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
FAKE_AARCH64=$BUILD/stub-aarch64-fake

# arm64_ready: 0 when the aarch64 loaders and qemu user mode are here; else says what is missing.
arm64_ready() {
	[ -x "$FAKE_AARCH64" ] && [ -x "$BUILD/stub-aarch64" ] && [ -n "$QEMU_AARCH64" ] && return 0
	echo "skipped: needs build/stub-aarch64 (aarch64.mk) and qemu-user-static"
	return 1
}

# run_arm64 CMD...: runs an aarch64 program under qemu user mode.
run_arm64() { "$QEMU_AARCH64" "$@"; }

# The host the arm64 fake seam sees on the kexec_load path: RAM in /proc/iomem and QEMU
# virt's device tree (qemu-system-aarch64 -M virt,dumpdtb=) as /sys/firmware/fdt.
arm64_host() {
	mkdir -p "$HOSTROOT/sys/firmware"
	printf '%s\n' '09000000-09000fff : pl011@9000000' '40000000-7fffffff : System RAM' \
		'  40210000-41c1ffff : Kernel code' '  48000000-481fffff : reserved' \
		>"$HOSTROOT/proc/iomem"
	qemu-system-aarch64 -M virt,dumpdtb="$HOSTROOT/sys/firmware/fdt" -m 1G >/dev/null 2>&1
}

test_arm64_bundle_is_a_static_aarch64_elf() {
	arm64_ready || return 0
	"$KEXE" pack --kernel "$IN/Image" --initrd "$IN/initrd-b" --cmdline "console=ttyAMA0" \
		-o "$WORK/arm.kexe" >"$WORK/out" || fail "pack of an arm64 Image failed"
	grep -q "arm64 Image" "$WORK/out" || fail "summary: $(cat "$WORK/out")"
	file "$WORK/arm.kexe" | grep -q 'ARM aarch64.*statically linked' ||
		fail "not a static aarch64 ELF: $(file "$WORK/arm.kexe")"
	"$KEXE" info "$WORK/arm.kexe" | grep -q '^arch: *arm64' || fail "info: arch is not arm64"
	expect_exit 0 run_arm64 "$WORK/arm.kexe" --dry-run || return 1
	err_has "nothing was loaded" && err_has "command line: console=ttyAMA0"
}

test_arm64_gzipped_kernel_is_unpacked_at_pack_time() {
	arm64_ready || return 0
	gzip -9n <"$IN/Image" >"$WORK/vmlinuz.gz"
	"$KEXE" pack --stub "$FAKE_AARCH64" --kernel "$WORK/vmlinuz.gz" --cmdline x \
		-o "$WORK/gz.kexe" >"$WORK/out" || fail "pack of a gzip'd arm64 kernel failed"
	grep -q "is gzip-compressed" "$WORK/out" || fail "the packer did not say it unpacked"
	expect_exit 0 "$KEXE" extract "$WORK/gz.kexe" "$WORK/gz" || return 1
	cmp "$WORK/gz/kernel" "$IN/Image" || fail "the packed kernel is not the unpacked Image"
}

test_arm64_einval_names_both_causes() {
	arm64_ready || return 0
	"$KEXE" pack --stub "$FAKE_AARCH64" --kernel "$IN/Image" --cmdline x -o "$WORK/a.kexe" \
		>/dev/null || fail pack
	# --syscall file: auto would go on to kexec_load (tests/cli/console.sh)
	KEXE_FAKE_LOAD_ERRNO=22 expect_exit 6 run_arm64 "$WORK/a.kexe" --foreground --syscall file ||
		return 1
	err_has "kexec_file_load: invalid argument: the running kernel refused" || return 1
	err_has "cannot load this Image" && err_has "memory is short" || return 1
	grep -q "has no kexec_file_load" "$WORK/err" && fail "claims the syscall is missing"
	return 0
}

test_arm64_without_kexec_file_load_uses_kexec_load() {
	local dump=$WORK/arm-dump log=$WORK/arm-seam.log
	arm64_ready || return 0
	arm64_host || { echo "skipped: needs qemu-system-aarch64 for a device tree"; return 0; }
	mkdir -p "$dump"
	"$KEXE" pack --stub "$FAKE_AARCH64" --kernel "$IN/Image" --initrd "$IN/initrd-b" \
		--cmdline "console=ttyAMA0 kexe.cli=fallback" -o "$WORK/a.kexe" >/dev/null || fail pack
	# kexec_file_load fails with ENOSYS, as on Debian's arm64 kernels; the fake kexec_load
	# fails the same way after recording its segments
	KEXE_FAKE_LOAD_ERRNO=38 KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$log \
		expect_exit 6 run_arm64 "$WORK/a.kexe" --foreground || return 1
	err_has "no kexec_file_load (CONFIG_KEXEC_FILE is off); loading with kexec_load" || return 1
	grep -q '^kexec_load entry=0x4[0-9a-f]* segments=4 flags=0xb70000$' "$log" ||
		fail "no arm64 kexec_load with 4 segments: $(cat "$log")"
	grep -q '^segment 0 mem=0x40000000 ' "$log" || fail "kernel not at the base of RAM: $(cat "$log")"
	cmp "$dump/segment-0" "$IN/Image" || fail "segment 0 is not the kernel"
	cmp "$dump/segment-1" "$IN/initrd-b" || fail "segment 1 is not the initrd"
	grep -qa "console=ttyAMA0 kexe.cli=fallback" "$dump/segment-2" ||
		fail "the device tree lacks the command line"
	[ "$(od -An -tx1 -N4 "$dump/segment-2" | tr -d ' ')" = d00dfeed ] ||
		fail "segment 2 is not a device tree"
	[ "$(stat -c %s "$dump/segment-3")" = 40 ] || fail "segment 3 is not the purgatory"
	# --syscall file means it: no fallback, the missing syscall is named
	: >"$log"
	KEXE_FAKE_LOAD_ERRNO=38 KEXE_FAKE_LOG=$log \
		expect_exit 6 run_arm64 "$WORK/a.kexe" --foreground --syscall file || return 1
	err_has "kexec_file_load: function not implemented: the running kernel has no kexec_file_load" ||
		return 1
	grep -q '^kexec_load' "$log" && fail "--syscall file fell back to kexec_load"
	return 0
}

# Without an initrd the new kernel still gets one: an empty page (zeros, an empty initramfs) named
# by linux,initrd-start/-end, so that a kernel started through UEFI does not take the first
# kernel's stale initrd from the EFI initrd table (tests/e2e/scenarios/uefi.sh).
test_arm64_kexec_load_without_initrd_passes_an_empty_one() {
	local dump=$WORK/arm-dump0 log=$WORK/arm-seam0.log start end
	arm64_ready || return 0
	arm64_host || { echo "skipped: needs qemu-system-aarch64 for a device tree"; return 0; }
	mkdir -p "$dump"
	"$KEXE" pack --stub "$FAKE_AARCH64" --kernel "$IN/Image" --cmdline "kexe.cli=noinitrd" \
		-o "$WORK/noinitrd.kexe" >/dev/null || fail pack
	KEXE_FAKE_LOAD_ERRNO=38 KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$log \
		expect_exit 6 run_arm64 "$WORK/noinitrd.kexe" --foreground --syscall legacy || return 1
	grep -q '^kexec_load entry=0x4[0-9a-f]* segments=4 flags=0xb70000$' "$log" ||
		fail "no arm64 kexec_load with 4 segments: $(cat "$log")"
	start=$(sed -n 's/^segment 1 mem=\(0x[0-9a-f]*\) memsz=0x1000 bufsz=0$/\1/p' "$log")
	[ -n "$start" ] || fail "segment 1 is not an empty page: $(cat "$log")"
	# the properties' 64-bit values follow their names' offsets; compare the hex dumps
	end=$(printf '%016x' $((start + 4096)))
	start=$(printf '%016x' $((start)))
	od -An -tx1 -v "$dump/segment-2" | tr -d ' \n' >"$WORK/dtb.hex"
	grep -q "$start" "$WORK/dtb.hex" && grep -q "$end" "$WORK/dtb.hex" ||
		fail "the device tree does not name the empty initrd ($start-$end)"
	grep -qa "linux,initrd-start" "$dump/segment-2" || fail "no linux,initrd-start in the tree"
	# fresh seeds from getrandom(), as the kernel's kexec_file_load gives
	grep -qa "rng-seed" "$dump/segment-2" && grep -qa "kaslr-seed" "$dump/segment-2" ||
		fail "no kaslr-seed and rng-seed in the tree"
}
