#!/usr/bin/env bash
# `make bench`: every figure is a ratio against a baseline measured in the same run.
#   1. pack time and size: kexe pack vs tar+gzip, tar+zstd, lz4 -1, lz4 -9 of the same files
#   2. unpack throughput: the stub's decoder into fresh memfd pages vs memcpy into them;
#      the static loader's size and --dry-run of a small bundle vs exec of /bin/true
#   3. in QEMU (bench/e2e.sh; BENCH_QEMU=0 skips it, ~20 min under TCG): time to the new
#      kernel and the smallest guest RAM, the bundle vs kexec-tools vs the tarball flow
# Then one table of every ratio. Results go to stdout and $BUILD/bench/results.txt (details)
# and $BUILD/bench/table.txt; docs/PERFORMANCE.md holds a real run.
set -eu
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
MIB=${BENCH_MIB:-300}
OUT=$BUILD/bench
WORK=${BENCH_DIR:-/dev/shm}/kexe-bench.$$
mkdir -p "$OUT" "$WORK"
trap 'rm -rf "$WORK"' EXIT
QEMU=${BENCH_QEMU:-1}
BENCH_QEMU=$QEMU bench/deps.sh

seconds() { # CMD...: wall seconds of one run, 3 decimals
	local s e
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s%N)
	printf '%.3f\n' "$(echo "scale=3; ($e - $s) / 1000000000" | bc)"
}

# Inputs: a kernel-sized incompressible file and two initrds (random, and a cpio of real
# files, which compresses like an uncompressed NixOS initrd).
"$BUILD/mkimage" bzimage "$WORK/bzImage" $((8 << 20))
head -c $((MIB << 20)) /dev/urandom >"$WORK/random.img"
(cd /usr && find lib share -xdev -type f 2>/dev/null | head -n 20000 | cpio -o -H newc --quiet) |
	head -c $((MIB << 20)) >"$WORK/files.cpio"

{
	printf '%-12s %-22s %9s %9s %10s %10s\n' payload tool seconds MiB "time/kexe" "size/kexe"
	for p in random.img files.cpio; do
		in="$WORK/bzImage $WORK/$p"
		t0=$(seconds "$BUILD/kexe" pack --kernel "$WORK/bzImage" --initrd "$WORK/$p" -o "$WORK/b.kexe")
		s0=$(stat -c %s "$WORK/b.kexe")
		row() { # NAME SECONDS FILE
			local s; s=$(stat -c %s "$3")
			printf '%-12s %-22s %9s %9.1f %10.2f %10.3f\n' "$p" "$1" "$2" \
				"$(echo "$s / 1048576" | bc -l)" "$(echo "$2 / $t0" | bc -l)" \
				"$(echo "$s / $s0" | bc -l)"
		}
		row "kexe pack (lz4 -1)" "$t0" "$WORK/b.kexe"
		row "tar + gzip -6" "$(seconds tar -C "$WORK" -czf "$WORK/t.tgz" bzImage "$p")" "$WORK/t.tgz"
		row "tar + zstd -3" "$(seconds tar -C "$WORK" --zstd -cf "$WORK/t.tzst" bzImage "$p")" "$WORK/t.tzst"
		row "lz4 -1" "$(seconds sh -c "cat $in | lz4 -1 -f - $WORK/x.lz4")" "$WORK/x.lz4"
		row "lz4 -9" "$(seconds sh -c "cat $in | lz4 -9 -f - $WORK/x.lz4")" "$WORK/x.lz4"
	done
	echo
	echo "unpack into fresh memfd pages (best of 5; ratio = memcpy time / kexe time):"
	"$BUILD/bench/unpack" "$WORK" "$MIB"
	echo
	bench/startup.sh "$WORK"
} | tee "$OUT/results.txt"
rm -f "$WORK"/*
[ "$QEMU" = 0 ] || { echo; bench/e2e.sh; } | tee -a "$OUT/results.txt"
echo
bench/table.sh "$OUT/results.txt" | tee "$OUT/table.txt"
