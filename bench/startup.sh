#!/usr/bin/env bash
# bench/startup.sh DIR: issue 8's stub figures. The static loader's size ($BUILD/stub), and the
# time `--dry-run` takes on a small bundle (an 8 MiB synthetic bzImage and a 4 KiB initrd:
# every check, the unpacking into memfds, no kexec) against starting /bin/true, the cost of
# exec alone, both the median of RUNS (20) runs. Prints "loader BYTES" and
# "startup DRYRUN_MS TRUE_MS".
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
dir=$1 runs=${BENCH_STARTUP_RUNS:-20}
"$BUILD/mkimage" bzimage "$dir/small-bzImage" $((8 << 20))
head -c 4096 /dev/urandom >"$dir/small-initrd"
"$BUILD/kexe" pack --kernel "$dir/small-bzImage" --initrd "$dir/small-initrd" \
	-o "$dir/small.kexe" >/dev/null
median_ms() { # CMD...: median wall milliseconds of $runs runs
	local i s e
	for i in $(seq "$runs"); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; return 1; }
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
}
echo "loader $(stat -c %s "$BUILD/stub")"
echo "startup $(median_ms "$dir/small.kexe" --dry-run --no-memory-check) $(median_ms /bin/true)"
