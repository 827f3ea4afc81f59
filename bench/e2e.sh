#!/usr/bin/env bash
# `make bench`, the QEMU part (issue 8): the same payload (Debian's kernel + a BENCH_E2E_MIB MiB
# incompressible initrd) in the same guest (TCG, SeaBIOS, the files copied to the first
# system's tmpfs before the run, as after a download), loaded three ways:
#   bundle       ./boot.kexe (no option), and --syscall legacy, and --consume
#   kexec-tools  kexec -s -l vmlinuz --initrd=... && kexec -e (Debian's kexec-tools)
#   tarball      tar xzf payload.tar.gz, then kexec -s -l as above
# 1. time from the loader's start to the new kernel's first console line, at BENCH_E2E_RAM MiB,
#    BENCH_ROUNDS rounds, one guest at a time, the flows interleaved in each round;
# 2. the smallest guest RAM (32 MiB steps) at which each boots, proven in the second kernel.
# Writes $BUILD/bench/e2e.txt, lines "time LOADER SECONDS..." and "ram LOADER RESULT"; every
# probe's serial log is under $BUILD/bench/qemu/e2e/minram-paths/. bench/run.sh prints the table.
set -eu
cd "$(dirname "$0")/.."
BUILD=$(realpath -m "${BUILD:-build}")
MIB=${BENCH_E2E_MIB:-256}
RAM=${BENCH_E2E_RAM:-1472}
ROUNDS=${BENCH_ROUNDS:-3}
JOBS=${BENCH_JOBS:-2}
export KEXE=${KEXE:-$BUILD/kexe} KEXE_CACHE=${KEXE_CACHE:-$BUILD/cache}
export E2E_ACCEL=${E2E_ACCEL:-tcg}
RUN=$BUILD/bench/qemu
results=$RUN/e2e/minram-paths/results.txt
out=$BUILD/bench/e2e.txt
rm -f "$results" "$out"
mkdir -p "$RUN"
probe() { BUILD=$RUN tests/e2e/minram-paths.sh --via disk --size "$MIB" "$@"; }

timed="kexec-tools kexe kexe:--syscall,legacy tarball"
for r in $(seq "$ROUNDS"); do
	for loader in $timed; do
		echo "bench: round $r/$ROUNDS: $loader at $RAM MiB" >&2
		probe boot "$loader" "$RAM" >/dev/null 2>&1 || true
	done
done
# Result lines: SIZE VIA FW LOADER MIB PASS|FAIL SECS T_LOAD T_NEWKERNEL T_STAGE2 REASON
for loader in $timed; do
	awk -v l="$loader" -v m="$RAM" '$4 == l && $5 == m && $6 == "PASS" { printf " %s", $9 }
		BEGIN { printf "time %s", l } END { print "" }' "$results"
done >>"$out"

# LOADER|LO|HI: HI is probed first, then halving.
bisects="kexec-tools|768|1472
kexe|768|1472
kexe:--consume|640|1472
tarball|1024|1792"
printf '%s\n' "$bisects" | tr '|' '\n' | tr '\n' '\0' |
	xargs -0 -n3 -P "$JOBS" sh -c 'echo "bench: smallest RAM for $0" >&2
		BUILD='"$RUN"' tests/e2e/minram-paths.sh --via disk --size '"$MIB"' bisect "$0" "$1" "$2" \
			>/dev/null 2>&1 || true'
printf '%s\n' "$bisects" | while IFS='|' read -r loader _; do
	awk -v p="RESULT $MIB disk bios $loader: " 'index($0, p) == 1 { r = substr($0, length(p) + 1) }
		END { print "ram '"$loader"' " (r == "" ? "not measured" : r) }' "$results"
done >>"$out"
cat "$out"
