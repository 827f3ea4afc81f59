#!/usr/bin/env bash
# `make bench-lowmem` (issue 12): in one run, the smallest guest RAM (32 MiB steps) at which
# each loader boots the same payload, a kernel + LOWMEM_MIB MiB incompressible initrd, from the
# same guest: Debian's kernel on QEMU (TCG), the payload files on a writable ext4 virtio disk
# (as on a VPS after scp), stage 2 proving the exact command line and every checksum.
# Every loader's payload command line gets rootfstype=ramfs (docs/PERFORMANCE.md: without it
# the second kernel itself needs 3 x the initrd to unpack it, whatever loaded it).
# Loaders: kexec-tools `kexec -s -l` from the files; the tarball flow (tar xzf onto the disk,
# then kexec -s -l); the bundle on kexec_file_load from memfds, from files staged on the disk,
# on kexec_load, and with no option (auto). Then the bundle's best paths again under OVMF.
# Results: stdout and $BUILD/bench/lowmem.txt; every probe's serial log under
# $BUILD/bench/lowmem/e2e/minram-paths/. About 40 minutes with LOWMEM_JOBS=2.
set -eu
cd "$(dirname "$0")/.."
BUILD=$(realpath -m "${BUILD:-build}")
MIB=${LOWMEM_MIB:-440}
JOBS=${LOWMEM_JOBS:-2}
export KEXE=${KEXE:-$BUILD/kexe} KEXE_CACHE=${KEXE_CACHE:-$BUILD/cache}
export E2E_ACCEL=${E2E_ACCEL:-tcg}
RUN=$BUILD/bench/lowmem
results=$RUN/e2e/minram-paths/results.txt
rm -f "$results"
mkdir -p "$RUN"

# NAME|FIRMWARE|LOADER|LO|HI (the bisection probes HI first, then halves)
probes="kexec-tools -s|bios|kexec-tools|768|2048
tarball, then kexec -s|bios|tarball|768|2048
bundle, kexec_file_load, memfd|bios|kexe:--syscall,file|768|2048
bundle, kexec_file_load, staged on disk|bios|kexe:--syscall,file,--stage-dir,/mnt|768|2048
bundle, kexec_load|bios|kexe:--syscall,legacy|640|1536
bundle, auto|bios|kexe|640|1536
bundle, kexec_load|ovmf|kexe:--syscall,legacy|640|1536
bundle, auto|ovmf|kexe|640|1536"

printf '%s\n' "$probes" | tr '|' '\t' |
	while IFS=$'\t' read -r name fw loader lo hi; do
		printf '%s\0%s\0%s\0%s\0' "$fw" "$loader" "$lo" "$hi"
	done |
	BUILD=$RUN xargs -0 -n4 -P "$JOBS" sh -c \
		'tests/e2e/minram-paths.sh --via ext4 --size '"$MIB"' --s2-append rootfstype=ramfs \
			--firmware "$0" bisect "$1" "$2" "$3" >/dev/null 2>&1 || true'

# The table: one row per probe line of $probes, from the RESULT lines of this run.
detail() { # FIRMWARE LOADER: "1024 MiB (fails at 992 MiB)", "more than 2048 MiB" or ""
	awk -v p="RESULT $MIB ext4 $1 $2 {rootfstype=ramfs}: " \
		'index($0, p) == 1 { r = substr($0, length(p) + 1) } END { print r }' "$results"
}
floor() { # FIRMWARE LOADER: "1024", or "" when it did not boot in range
	detail "$1" "$2" | sed -n 's/^\([0-9][0-9]*\) MiB.*/\1/p'
}
why() { # FIRMWARE LOADER MIB: what failed at MIB
	awk -v fw="$1" -v l="$2" -v m="$3" '$2 == "ext4" && $3 == fw && $4 == l && $6 == m && $7 == "FAIL" {
		$1 = $2 = $3 = $4 = $5 = $6 = $7 = $8 = $9 = $10 = $11 = ""; r = $0 } END { print r }' \
		"$results" | sed 's/^ *//' | cut -c1-200
}
base=$(floor bios kexec-tools)
{
	echo "payload: kernel + ${MIB} MiB incompressible initrd; files on ext4; kexe $("$KEXE" --version 2>/dev/null | head -n1)"
	printf '%-42s %-5s %-34s %-8s %s\n' loader fw "smallest RAM (MiB)" "/kexec-tools" "just below"
	printf '%s\n' "$probes" | while IFS='|' read -r name fw loader lo hi; do
		f=$(floor "$fw" "$loader") d=$(detail "$fw" "$loader")
		ratio=-
		[ -z "$f" ] || [ -z "$base" ] || ratio=$(awk -v a="$f" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
		below=
		case $d in *"fails at "*) below=$(why "$fw" "$loader" "$(printf '%s' "$d" | sed 's/.*fails at \([0-9]*\).*/\1/')") ;; esac
		printf '%-42s %-5s %-34s %-8s %s\n' "$name" "$fw" "${d:-not measured}" "$ratio" "$below"
	done
} | tee "$BUILD/bench/lowmem.txt"
