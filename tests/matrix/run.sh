#!/usr/bin/env bash
# The load matrix: every combination of architecture, way of loading, initrd storage and bundle
# source that a user can reach is run through the real loader with the fake seam
# (build/stub-fake, build/stub-aarch64-fake under qemu user mode), and the bytes the seam was
# handed (kernel, every initrd byte in order, command line; from the kexec_file_load files or
# the kexec_load segments, boot_params and device tree included) are compared with what was
# packed (tests/tools/loadcheck.py). A combination the loader refuses must be refused with its
# message and nothing loaded. One PASS/FAIL line per combination:
#   arch/way/storage/source: way-taken
# Nothing here can load a kernel or reboot this machine: only fake-seam loaders run.
set -u
SELF=$(cd "$(dirname "$0")" && pwd)/run.sh
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
KEXE=$BUILD/kexe
MKIMAGE=$BUILD/mkimage
CHECK=tests/tools/loadcheck.py
# Debian's python3 starts in 0.1 s, a pyenv shim in seconds: this runs it hundreds of times
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kexe-matrix.XXXXXX")
# staged ways need a disk-backed directory: the build directory's
SDIR=$(cd "$BUILD" && pwd)/kexe-matrix-stage.$$
LOGDIR=$WORK/logs
mkdir -p "$LOGDIR" "$SDIR"
trap 'rm -rf "$WORK" "$SDIR"' EXIT
. tests/lib.sh
exec </dev/null
QEMU_AARCH64=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
passed=0 failed=0 skipped=0

# --- inputs -------------------------------------------------------------------------------
IN=$WORK/in
mkdir -p "$IN"
"$MKIMAGE" bzimage "$IN/kernel-x86_64" 1500000
"$MKIMAGE" arm64 "$IN/kernel-arm64" 1500000
"$MKIMAGE" data "$IN/raw" 2000001 11            # random: stored raw
"$MKIMAGE" data "$IN/lz4" 1800003 12 text       # text: stored as an LZ4 frame
"$MKIMAGE" data "$IN/raw2" 700001 13            # a second raw initrd
"$MKIMAGE" data "$IN/extra" 300002 14           # given with --initrd at run time
echo "carried by the matrix" >"$IN/carried"
CMDLINE="console=ttyS0 init=/init kexe.matrix=1"

# cat_aligned FILE...: the files concatenated, each starting 4-byte aligned (the loader's rule).
cat_aligned() {
	local f off=0 pad
	for f in "$@"; do
		pad=$(((4 - off % 4) % 4))
		[ "$off" -eq 0 ] || head -c "$pad" /dev/zero
		off=$((off + pad + $(stat -c %s "$f")))
		cat "$f"
	done
}

# Storage: which initrds are packed, which are added at run time, what is carried.
STORAGES="raw lz4 none several extras carried"
storage_packed() {
	case $1 in
	raw | extras | carried) echo "$IN/raw" ;;
	lz4) echo "$IN/lz4" ;;
	none) ;;
	several) echo "$IN/raw $IN/lz4 $IN/raw2" ;;
	esac
}
storage_run_args() {
	case $1 in
	extras) echo "--initrd $IN/extra" ;;
	carried) echo "--carry-file $IN/carried:/etc/kexe-matrix" ;;
	esac
}
storage_expect() { # STORAGE OUT: the initrd bytes before any carried archive
	local files
	files=$(storage_packed "$1")
	[ "$1" = extras ] && files="$files $IN/extra"
	# shellcheck disable=SC2086
	if [ -n "$files" ]; then cat_aligned $files >"$2"; else : >"$2"; fi
}

# --- hosts ----------------------------------------------------------------------------------
# A fake host per memory level: kexec_load needs the firmware memory map (x86_64) or
# /proc/iomem and a device tree (arm64).
memmap_entry() { # HOSTDIR N START END TYPE
	mkdir -p "$1/sys/firmware/memmap/$2"
	echo "$3" >"$1/sys/firmware/memmap/$2/start"
	echo "$4" >"$1/sys/firmware/memmap/$2/end"
	echo "$5" >"$1/sys/firmware/memmap/$2/type"
}
make_host() { # DIR MEMAVAILABLE_KB
	fake_host "$1"
	printf 'MemTotal: 8000000 kB\nMemAvailable: %s kB\n' "$2" >"$1/proc/meminfo"
	echo init >"$1/proc/1/comm"
	# a 2 GiB PC: low RAM, the BIOS area, RAM up to just below 2 GiB
	memmap_entry "$1" 0 0x0 0x9fbff "System RAM"
	memmap_entry "$1" 1 0xf0000 0xfffff Reserved
	memmap_entry "$1" 2 0x100000 0x7ffdffff "System RAM"
	printf '%s\n' '09000000-09000fff : pl011@9000000' '40000000-7fffffff : System RAM' \
		'  40210000-41c1ffff : Kernel code' '  48000000-481fffff : reserved' >"$1/proc/iomem"
	mkdir -p "$1/sys/firmware"
	cp "$WORK/virt.dtb" "$1/sys/firmware/fdt" 2>/dev/null || true
}
mkdir -p "$WORK/uname-x86_64" "$WORK/uname-arm64"
printf '#!/bin/sh\necho aarch64\n' >"$WORK/uname-arm64/uname"
chmod +x "$WORK/uname-arm64/uname"
HAVE_DTB=0
if qemu-system-aarch64 -M virt,dumpdtb="$WORK/virt.dtb" -m 1G >/dev/null 2>&1; then HAVE_DTB=1; fi

# --- bundles --------------------------------------------------------------------------------
# bundle ARCH STORAGE: packs (once) the bundle and its shell form; prints the binary's path.
bundle() {
	local out=$WORK/b-$1-$2 stub=$BUILD/stub-fake args=() f
	[ "$1" = arm64 ] && stub=$BUILD/stub-aarch64-fake
	if [ ! -f "$out.kexe" ]; then
		for f in $(storage_packed "$2"); do args+=(--initrd "$f"); done
		"$KEXE" pack --stub "$stub" --kernel "$IN/kernel-$1" "${args[@]}" --cmdline "$CMDLINE" \
			-o "$out.kexe" >/dev/null || return 1
		"$KEXE" pack --stub "$stub" --kernel "$IN/kernel-$1" "${args[@]}" --cmdline "$CMDLINE" \
			--format sh -o "$out.sh" >/dev/null || return 1
	fi
	echo "$out"
}

# --- one combination ------------------------------------------------------------------------
# run_source ARCH SOURCE BUNDLE ARGS...: runs the loader from the source, in the case's dir $C.
run_source() {
	local arch=$1 source=$2 b=$3 q=()
	shift 3
	[ "$arch" = arm64 ] && q=("$QEMU_AARCH64")
	case $source in
	file) "${q[@]}" "$b.kexe" "$@" ;;
	consume)
		cp "$b.kexe" "$C/consumed.kexe"
		"${q[@]}" "$C/consumed.kexe" --consume "$@"
		;;
	# the shell form asks uname -m for the machine: an arm64 one runs (through binfmt_misc)
	# with a uname that says aarch64
	sh-file) PATH=$WORK/uname-$arch:$PATH sh "$b.sh" "$@" ;;
	sh-pipe) PATH=$WORK/uname-$arch:$PATH sh -s -- "$@" <"$b.sh" ;;
	esac
}

# way_args WAY: the loader's options for a way (auto-*: none, the memory level decides).
way_args() {
	case $1 in
	file-memfd) echo "--syscall file" ;;
	file-staged) echo "--syscall file --stage-dir $SDIR" ;;
	kexec_load) echo "--syscall legacy" ;;
	kexec_load-staged) echo "--syscall legacy --stage-dir $SDIR" ;;
	esac
}

record() { # NAME RESULT [REASON]
	case $2 in
	PASS) echo "PASS matrix/$1${3:+: $3}"; passed=$((passed + 1)) ;;
	SKIP) echo "SKIP matrix/$1: $3"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL matrix/$1: $3"; failed=$((failed + 1)) ;;
	esac
}

# taken: the way the loader said it took, from its stderr
taken() {
	sed -n 's/^kexe: loading with //p' "$C/err" | head -n 1 |
		sed 's/ (.*//; s/kexec_file_load from memfds/file_load\/memfd/;
		s/kexec_file_load from files staged on disk/file_load\/staged/;
		s/kexec_load from memfds/kexec_load\/memfd/;
		s/kexec_load from files staged on disk/kexec_load\/staged/;
		s/kexec_load, the initrd read where it lies in the bundle/kexec_load\/in-place/'
}

# combo ARCH WAY STORAGE SOURCE MEMKB [ERRNO [FILE_ERRNO]]: one combination; compares the
# loaded bytes. ERRNO fails both syscalls, FILE_ERRNO only kexec_file_load.
combo() {
	local arch=$1 way=$2 storage=$3 source=$4 mem=$5 errno=${6:-0} file_errno=${7:-0}
	local name b rc want=0 took
	name=$arch/$way/$storage/$source
	C=$WORK/c/${name//\//-}
	mkdir -p "$C/dump"
	[ -d "$WORK/host-$mem" ] || make_host "$WORK/host-$mem" "$mem"
	b=$(bundle "$arch" "$storage") || { record "$name" FAIL "pack failed"; return; }
	storage_expect "$storage" "$C/initrd"
	printf '%s' "$CMDLINE" >"$C/cmdline"
	# shellcheck disable=SC2046
	KEXE_FAKE_ROOT=$WORK/host-$mem KEXE_FAKE_LOG=$C/seam.log KEXE_FAKE_DUMP=$C/dump \
		KEXE_FAKE_LOAD_ERRNO=$errno KEXE_FAKE_FILE_LOAD_ERRNO=$file_errno run_source "$arch" "$source" "$b" --foreground \
		$(way_args "$way") $(storage_run_args "$storage") >"$C/out" 2>"$C/err"
	rc=$?
	# the fake's kexec_load fails with the same errno after recording its segments
	[ "$errno" = 0 ] || want=6
	if [ "$rc" -ne "$want" ]; then
		record "$name" FAIL "exit $rc, expected $want: $(tail -n 2 "$C/err" | tr '\n' ' ')"
		return
	fi
	if [ "$errno" = 38 ] && [ "$arch" = x86_64 ]; then
		# x86_64 kernels have kexec_file_load; without it the loader stops and says why
		if grep -q '^kexec_load ' "$C/seam.log" || ! grep -q "has no kexec_file_load" "$C/err"; then
			record "$name" FAIL "ENOSYS not refused with its reason: $(tail -n 1 "$C/err")"
		else
			record "$name" PASS "refused: $(grep -o 'has no kexec_file_load[^;]*' "$C/err")"
		fi
		return
	fi
	took=$(taken)
	if [ "$file_errno" != 0 ]; then
		# kexec_file_load refused the kernel: the bytes checked must be kexec_load's
		if ! grep -q '^kexec_load ' "$C/seam.log" || ! grep -q "loading with kexec_load instead" "$C/err"; then
			record "$name" FAIL "not retried with kexec_load: $(tail -n 1 "$C/err")"
			return
		fi
		took="$took, retried with kexec_load"
	fi
	# the bytes are compared in one batch at the end (tests/tools/loadcheck.py --batch)
	local line
	line="$name	$took	--arch	$arch	--log	$C/seam.log	--dump	$C/dump"
	line="$line	--kernel	$IN/kernel-$arch	--initrd	$C/initrd	--cmdline-file	$C/cmdline"
	[ "$storage" = carried ] && line="$line	--carried	/etc/kexe-matrix=$IN/carried"
	echo "$line" >>"$WORK/checks"
}

# flush_checks: compares the bytes of the combinations run since the last flush, then frees
# their dumps.
flush_checks() {
	[ -s "$WORK/checks" ] || return 0
	"$PYTHON" "$CHECK" --batch "$WORK/checks" >"$WORK/results"
	passed=$((passed + $(grep -c '^PASS ' "$WORK/results")))
	failed=$((failed + $(grep -c '^FAIL ' "$WORK/results")))
	sed 's/^\(PASS\|FAIL\) /\1 matrix\//' "$WORK/results"
	# keep the dumps of a failure for a look
	grep '^FAIL ' "$WORK/results" | sed 's/^FAIL \([^:]*\):.*/\1/; s|/|-|g' >"$WORK/keep"
	for d in "$WORK"/c/*; do
		[ -e "$d" ] && ! grep -qxF "${d##*/}" "$WORK/keep" && rm -rf "$d"
	done
	: >"$WORK/checks"
}

# levels ARCH STORAGE: MemAvailable (kB) just above each rung's estimate, from --check.
levels() {
	local b est
	b=$(bundle "$1" "$2") || return
	make_host "$WORK/probe" 4000000
	local q=()
	[ "$1" = arm64 ] && q=("$QEMU_AARCH64")
	est=$(KEXE_FAKE_ROOT=$WORK/probe "${q[@]}" "$b.kexe" --check 2>/dev/null |
		sed -n 's/.*estimates: \(.*\) MiB;.*/\1/p')
	# "file_load/memfd ~40 file_load/staged ~38 ..." -> one level per rung, in ladder order
	for v in $(echo "$est" | grep -o '~[0-9]*' | tr -d '~'); do
		echo $(((v + 1) * 1024))
	done
}

# --- the matrix -------------------------------------------------------------------------------
# part ARCH STORAGE: every way and source for one architecture and initrd storage.
part() {
	local arch=$1 storage=$2 source way mem i
	if [ "$arch" = arm64 ]; then
		if [ ! -x "$BUILD/stub-aarch64-fake" ] || [ -z "$QEMU_AARCH64" ] || [ "$HAVE_DTB" = 0 ]; then
			record "arm64/*/$storage/*" SKIP "needs build/stub-aarch64-fake, qemu-user-static and qemu-system-aarch64"
			return
		fi
	fi
	for source in file consume sh-file sh-pipe; do
		if [ "$arch" = arm64 ] && [ "${source#sh-}" != "$source" ] &&
			[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
			record "$arch/*/$storage/$source" SKIP "the shell form execs the aarch64 loader; this host has no binfmt_misc entry for qemu-aarch64 (scripts/install-deps.sh adds it)"
			continue
		fi
		for way in file-memfd file-staged kexec_load kexec_load-staged; do
			combo "$arch" "$way" "$storage" "$source" 4000000
		done
		# auto: each rung's memory level, from ample to the least
		i=0
		for mem in $(levels "$arch" "$storage"); do
			i=$((i + 1))
			combo "$arch" "auto-level$i" "$storage" "$source" "$mem"
		done
		# the running kernel has no kexec_file_load (ENOSYS)
		combo "$arch" "auto-enosys" "$storage" "$source" 4000000 38
	done
	# kexec_file_load refuses the kernel (ENOEXEC) on a host without a signature policy:
	# kexec_load takes it from the memfds (from the file only: the sources add nothing here)
	combo "$arch" "auto-file-rejected" "$storage" file 4000000 0 8
	flush_checks
}

if [ "${1:-}" = --part ]; then
	part "$2" "$3"
	echo "$passed passed, $failed failed"
	exit 0
fi
# The parts run two at a time (this is most of make check's time), each in a process of its
# own with its own work directory; their lines are shown in order.
for arch in x86_64 arm64; do
	for storage in $STORAGES; do
		echo "$arch $storage"
	done
done | xargs -P "${MATRIX_JOBS:-2}" -n 2 sh -c '"$0" --part "$2" "$3" >"$1/part-$2-$3" 2>&1' \
	"$SELF" "$WORK"
for arch in x86_64 arm64; do
	for storage in $STORAGES; do
		f=$WORK/part-$arch-$storage
		[ -f "$f" ] || { record "$arch/*/$storage/*" FAIL "this part did not run"; continue; }
		grep -E '^(PASS|FAIL|SKIP) ' "$f"
		count=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$f" | tail -n 1)
		[ -n "$count" ] || { record "$arch/*/$storage/*" FAIL "this part stopped: $(tail -n 1 "$f")"; continue; }
		passed=$((passed + ${count%% passed*}))
		count=${count#*, }
		failed=$((failed + ${count%% failed}))
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
