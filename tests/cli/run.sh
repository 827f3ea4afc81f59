#!/usr/bin/env bash
# Host tests of the built binaries: build/kexe packs, and bundles carry build/stub-fake (the
# stub linked with the fake seam), so no test here can load a kernel or reboot this machine.
# The real stub (build/stub) is only run with --dry-run, --info, --help and --version.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
KEXE=$BUILD/kexe
FAKE=$BUILD/stub-fake
MKIMAGE=$BUILD/mkimage
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kexe-cli.XXXXXX")
LOGDIR=$WORK/logs
mkdir -p "$LOGDIR"
trap 'rm -rf "$WORK"' EXIT
. tests/lib.sh
# A bundle detaches when stdin is a terminal or it runs under ssh; tests decide that themselves.
exec </dev/null
HOSTROOT=$WORK/host
fake_host "$HOSTROOT"

IN=$WORK/in
mkdir -p "$IN"
"$MKIMAGE" bzimage "$IN/bzImage" 300000
"$MKIMAGE" data "$IN/initrd-a" 2000001 1 text
"$MKIMAGE" data "$IN/initrd-b" 700003 2
"$MKIMAGE" data "$IN/extra" 1001 3
"$MKIMAGE" arm64 "$IN/Image" 200000
CMDLINE="console=ttyS0 init=/init quiet"

pack_fake() { # OUT [extra pack args]
	local out=$1
	shift
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --initrd "$IN/initrd-a" \
		--initrd "$IN/initrd-b" --cmdline "$CMDLINE" -o "$out" "$@" >/dev/null
}

# expect_exit CODE CMD...: runs CMD, keeps its stderr in $WORK/err, checks the exit code.
expect_exit() {
	local want=$1 got
	shift
	"$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "$* exited $got, expected $want: $(head -c 300 "$WORK/err")"
}

err_has() {
	grep -qF -- "$1" "$WORK/err" || fail "stderr lacks '$1': $(head -c 300 "$WORK/err")"
}

test_stub_and_bundle_are_static_elf() {
	local f
	"$KEXE" pack --kernel "$IN/bzImage" --cmdline x -o "$WORK/real.kexe" >/dev/null || fail pack
	for f in "$BUILD/stub" "$KEXE" "$WORK/real.kexe"; do
		file "$f" | grep -q 'statically linked' || fail "$f is not static: $(file "$f")"
		file "$f" | grep -q 'interpreter' && fail "$f has an interpreter"
	done
	return 0
}

test_extract_gives_back_identical_inputs() {
	pack_fake "$WORK/b.kexe" || fail pack
	expect_exit 0 "$KEXE" extract "$WORK/b.kexe" "$WORK/x1" || return 1
	expect_exit 0 "$WORK/b.kexe" --extract "$WORK/x2" || return 1
	for d in x1 x2; do
		cmp "$WORK/$d/kernel" "$IN/bzImage" || fail "$d kernel differs"
		cmp "$WORK/$d/initrd-0" "$IN/initrd-a" || fail "$d initrd-0 differs"
		cmp "$WORK/$d/initrd-1" "$IN/initrd-b" || fail "$d initrd-1 differs"
		[ "$(cat "$WORK/$d/cmdline")" = "$CMDLINE" ] || fail "$d cmdline differs"
	done
}

test_dry_run_of_real_stub_passes_without_loading() {
	"$KEXE" pack --kernel "$IN/bzImage" --initrd "$IN/initrd-a" --cmdline "$CMDLINE" \
		-o "$WORK/real.kexe" >/dev/null || fail pack
	expect_exit 0 "$WORK/real.kexe" --dry-run || return 1
	err_has "nothing was loaded" && err_has "command line: $CMDLINE"
}

test_pack_is_reproducible_executable_and_atomic() {
	pack_fake "$WORK/r1.kexe" && pack_fake "$WORK/r2.kexe" || fail pack
	cmp "$WORK/r1.kexe" "$WORK/r2.kexe" || fail "two packs differ"
	[ -x "$WORK/r1.kexe" ] || fail "bundle not executable"
	ls "$WORK" | grep -q '\.tmp\.' && fail "temporary file left behind"
	expect_exit 0 "$KEXE" verify "$WORK/r1.kexe"
}

test_pack_refuses_to_overwrite_its_input() {
	cp "$IN/initrd-a" "$WORK/victim"
	expect_exit 2 "$KEXE" pack --kernel "$IN/bzImage" --initrd "$WORK/victim" -o "$WORK/victim" ||
		return 1
	cmp "$WORK/victim" "$IN/initrd-a" || fail "input was modified"
}

test_pack_refuses_non_kernels_and_foreign_arch() {
	expect_exit 2 "$KEXE" pack --kernel "$IN/initrd-b" -o "$WORK/n.kexe" || return 1
	err_has "not a Linux kernel image" || return 1
	expect_exit 2 "$KEXE" pack --kernel "$IN/Image" --arch x86_64 -o "$WORK/n.kexe" || return 1
	err_has "--arch x86_64, but $IN/Image is an arm64 Image" || return 1
	[ ! -e "$WORK/n.kexe" ] || fail "output written despite refusal"
}

test_runtime_flags_reach_the_seam() {
	local dump=$WORK/dump expect=$WORK/expect-initrd
	mkdir -p "$dump"
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump expect_exit 0 "$WORK/b.kexe" --cmdline "init=/x" --append "a=1" \
		--append "b=2" --initrd "$IN/extra" || return 1
	err_has "rebooting into the loaded kernel now" || return 1
	cmp "$dump/kernel" "$IN/bzImage" || fail "kernel differs"
	[ "$(cat "$dump/cmdline")" = "init=/x a=1 b=2" ] || fail "cmdline: $(cat "$dump/cmdline")"
	# initrds concatenated, each starting 4-byte aligned (2000001 -> pad 3; 700003 -> pad 1)
	{
		cat "$IN/initrd-a"
		printf '\0\0\0'
		cat "$IN/initrd-b"
		printf '\0'
		cat "$IN/extra"
	} >"$expect"
	cmp "$dump/initrd" "$expect" || fail "initrd concatenation differs"
}

test_damaged_bundles_are_refused_without_loading() {
	local log=$WORK/seam.log size
	pack_fake "$WORK/b.kexe" || fail pack
	size=$(stat -c %s "$WORK/b.kexe")
	head -c $((size - 1000)) "$WORK/b.kexe" >"$WORK/trunc.kexe"
	chmod +x "$WORK/trunc.kexe"
	KEXE_FAKE_LOG=$log expect_exit 3 "$WORK/trunc.kexe" || return 1
	err_has "truncated" || return 1
	cp "$WORK/b.kexe" "$WORK/flip.kexe"
	printf '\x5a' | dd of="$WORK/flip.kexe" bs=1 seek=$((size / 2 + 1000)) conv=notrunc 2>/dev/null
	KEXE_FAKE_LOG=$log expect_exit 3 "$WORK/flip.kexe" || return 1
	err_has "checksum" || return 1
	[ ! -s "$log" ] || fail "the seam was called: $(cat "$log")"
	expect_exit 3 "$KEXE" verify "$WORK/flip.kexe"
}

test_arm64_kernel_in_x86_bundle_is_refused_at_run_time() {
	"$KEXE" pack --stub "$FAKE" --unchecked-kernel --kernel "$IN/Image" --cmdline x \
		-o "$WORK/arm.kexe" >/dev/null || fail pack
	KEXE_FAKE_LOG=$WORK/seam.log expect_exit 3 "$WORK/arm.kexe" || return 1
	err_has "arm64" || return 1
	[ ! -e "$WORK/seam.log" ] || fail "the seam was called"
}

test_kexec_errors_map_to_exit_codes() {
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_LOAD_ERRNO=1 expect_exit 4 "$WORK/b.kexe" || return 1
	err_has "kexec_file_load: operation not permitted" || return 1
	KEXE_FAKE_LOAD_ERRNO=38 expect_exit 6 "$WORK/b.kexe" || return 1
	KEXE_FAKE_LOAD_ERRNO=12 expect_exit 5 "$WORK/b.kexe" || return 1
	KEXE_FAKE_REBOOT_ERRNO=5 expect_exit 8 "$WORK/b.kexe"
}

test_kexec_tree_is_packed_from_its_script() {
	local tree=$WORK/tree store=$WORK/store
	mkdir -p "$tree" "$store"
	cp "$IN/bzImage" "$store/bzImage"
	cp "$IN/initrd-a" "$store/initrd"
	cat >"$store/kexec-boot" <<'SCRIPT'
#!/usr/bin/env bash
if ! kexec -v >/dev/null 2>&1; then
  echo "kexec not found: please install kexec-tools" 2>&1
  exit 1
fi
SCRIPT_DIR=$( cd -- "$( dirname -- "${BASH_SOURCE[0]}" )" &> /dev/null && pwd )
kexec --load ${SCRIPT_DIR}/bzImage \
  --initrd=${SCRIPT_DIR}/initrd.gz \
  --command-line "init=/nix/store/xyz-nixos-system-nixos/init loglevel=4"
kexec -e
SCRIPT
	ln -s "$store/bzImage" "$tree/bzImage"
	ln -s "$store/initrd" "$tree/initrd.gz"
	ln -s "$store/kexec-boot" "$tree/kexec-boot"
	"$KEXE" pack --kexec-tree "$tree" -o "$WORK/t.kexe" >/dev/null || fail "pack --kexec-tree"
	expect_exit 0 "$KEXE" extract "$WORK/t.kexe" "$WORK/tx" || return 1
	cmp "$WORK/tx/initrd-0" "$IN/initrd-a" || fail "initrd differs"
	[ "$(cat "$WORK/tx/cmdline")" = "init=/nix/store/xyz-nixos-system-nixos/init loglevel=4" ] ||
		fail "cmdline: $(cat "$WORK/tx/cmdline")"
}

test_runs_without_proc() {
	local dump=$WORK/np
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
		echo "needs root and unshare"
		return 0
	fi
	mkdir -p "$dump"
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump unshare --mount --propagation private sh -c \
		'umount -l /proc && ! test -e /proc/self/exe && cd "$1" && ./b.kexe' sh "$WORK" \
		>"$WORK/out" 2>"$WORK/err" || fail "run without /proc: $(cat "$WORK/err")"
	cmp "$dump/kernel" "$IN/bzImage" || fail "kernel differs"
}

test_help_documents_exit_codes() {
	expect_exit 0 "$BUILD/stub" --help || return 1
	grep -q "^  5  not enough memory" "$WORK/out" || fail "bundle --help lacks exit codes"
	expect_exit 0 "$KEXE" --help || return 1
	grep -q "^  3  bundle damaged" "$WORK/out" || fail "kexe --help lacks exit codes"
	expect_exit 2 "$BUILD/stub" --bogus && err_has "unknown option"
}

test_no_progress_when_piped() {
	"$KEXE" pack --kernel "$IN/bzImage" --initrd "$IN/initrd-a" -o "$WORK/p.kexe" 2>&1 |
		grep -q $'\r' && fail "carriage returns in piped output"
	return 0
}

test_detaches_under_ssh_and_reboots_after_the_delay() {
	local log=$WORK/detach.log start elapsed
	pack_fake "$WORK/b.kexe" || fail pack
	start=$(date +%s%N)
	SSH_CONNECTION="10.0.0.1 5000 10.0.0.2 22" KEXE_FAKE_LOG=$log \
		expect_exit 0 "$WORK/b.kexe" --delay 2 || return 1
	elapsed=$((($(date +%s%N) - start) / 1000000))
	[ "$elapsed" -lt 1500 ] || fail "the caller waited ${elapsed} ms"
	err_has "detached from this session" || return 1
	grep -q '^reboot$' "$log" && fail "rebooted before the delay"
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		grep -q '^reboot$' "$log" && break
		sleep 0.25
	done
	grep -q '^reboot$' "$log" || fail "no reboot after the delay: $(cat "$log")"
	SSH_CONNECTION=x KEXE_FAKE_LOG=$WORK/fg.log expect_exit 0 "$WORK/b.kexe" --foreground ||
		return 1
	grep -q '^reboot$' "$WORK/fg.log" || fail "--foreground did not reboot in the foreground"
}

test_check_prints_verdicts_without_loading() {
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_LOG=$WORK/seam.log expect_exit 0 "$WORK/b.kexe" --check || return 1
	grep -q '^pass  memory' "$WORK/out" || fail "no memory verdict: $(cat "$WORK/out")"
	grep -q '^verdict: ready to load' "$WORK/out" || fail "no verdict line"
	[ ! -e "$WORK/seam.log" ] || fail "--check called the seam"
	KEXE_FAKE_EUID=1000 expect_exit 4 "$WORK/b.kexe" --check || return 1
	grep -q '^FAIL  root' "$WORK/out" || fail "no root failure: $(cat "$WORK/out")"
}

test_carried_files_arrive_as_a_last_cpio_initrd() {
	local dump=$WORK/carry
	mkdir -p "$dump" "$WORK/unpacked"
	pack_fake "$WORK/b.kexe" || fail pack
	echo "carried payload" >"$WORK/note"
	KEXE_FAKE_DUMP=$dump expect_exit 0 "$WORK/b.kexe" --carry-file "$WORK/note:/etc/note" \
		--carry-network || return 1
	# the packed initrds come first, the carried archive starts 4-byte aligned after them
	tail -c +$((2000001 + 3 + 700003 + 1 + 1)) "$dump/initrd" >"$WORK/carried.cpio"
	(cd "$WORK/unpacked" && cpio -id --quiet <"$WORK/carried.cpio") ||
		fail "the tail is not a cpio archive"
	cmp "$WORK/unpacked/etc/note" "$WORK/note" || fail "carried file differs"
	grep -q '"ifname":"lo"' "$WORK/unpacked/addrs.json" || fail "addrs.json lacks lo"
	[ -s "$WORK/unpacked/routes-v4.json" ] || fail "no routes-v4.json"
}

test_consume_frees_the_bundle_while_unpacking() {
	local dir=/dev/shm dump=$WORK/consumed before after
	[ -w "$dir" ] || dir=$WORK
	mkdir -p "$dump"
	pack_fake "$dir/kexe-cli-consume.$$.kexe" || fail pack
	before=$(du -k "$dir/kexe-cli-consume.$$.kexe" | cut -f1)
	KEXE_FAKE_DUMP=$dump expect_exit 0 "$dir/kexe-cli-consume.$$.kexe" --consume
	local rc=$?
	after=$(du -k "$dir/kexe-cli-consume.$$.kexe" | cut -f1)
	"$KEXE" verify "$dir/kexe-cli-consume.$$.kexe" >/dev/null 2>&1 && rc=1
	rm -f "$dir/kexe-cli-consume.$$.kexe"
	[ "$rc" = 0 ] || fail "run failed, or the consumed file still verifies"
	err_has "used up" || return 1
	cmp "$dump/initrd" <(cat "$IN/initrd-a"; printf '\0\0\0'; cat "$IN/initrd-b") ||
		fail "payload differs"
	[ "$after" -lt $((before / 4)) ] || fail "file still holds $after of $before KiB"
}

test_stage_dir_unpacks_into_unlinked_files_on_disk() {
	local sdir dump=$WORK/staged log=$WORK/stage.log rc=0 left fs
	sdir=$(cd "$BUILD" && pwd)/kexe-cli-stage.$$
	mkdir -p "$sdir" "$dump"
	fs=$(stat -f -c %T "$sdir")
	case $fs in tmpfs | ramfs)
		rm -rf "$sdir"
		fail "$BUILD is on $fs; this test needs a disk-backed build directory"
		return
		;;
	esac
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$log expect_exit 0 "$WORK/b.kexe" --syscall file \
		--stage-dir "$sdir" || rc=1
	left=$(ls -A "$sdir")
	rm -rf "$sdir"
	[ "$rc" = 0 ] || return 1
	[ -z "$left" ] || fail "staging left names behind: $left"
	err_has "staged on disk" || return 1
	grep -qE "^kexec_file_load files kernel=$sdir/[^ ]* \(deleted\) initrd=$sdir/[^ ]* \(deleted\)\$" \
		"$log" || fail "not loaded from unlinked files in $sdir: $(grep files "$log")"
	cmp "$dump/kernel" "$IN/bzImage" || fail "kernel differs"
	cmp "$dump/initrd" <(cat "$IN/initrd-a"; printf '\0\0\0'; cat "$IN/initrd-b") ||
		fail "initrd differs"
	# tmpfs would save no memory: refused before anything is unpacked or loaded
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] || return 0
	KEXE_FAKE_LOG=$log.shm expect_exit 2 "$WORK/b.kexe" --stage-dir /dev/shm || return 1
	err_has "is not a writable disk-backed directory" || return 1
	! grep -qs '^kexec' "$log.shm" || fail "loaded anyway: $(cat "$log.shm")"
}

# Every other file here adds test_* functions of one topic (arm64.sh, ...).
for f in tests/cli/*.sh; do
	[ "$f" = tests/cli/run.sh ] || . "$f"
done
run_tests cli $(declare -F | awk '{print $3}' | grep '^test_')
