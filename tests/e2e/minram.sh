#!/bin/bash
# Not part of the CI run: find, in 32 MiB steps, the smallest guest RAM at
# which the 'large' scenario (kernel + a ${E2E_LARGE_MIB:-256} MiB
# incompressible initrd) still boots to the stage-2 marker, for each loader:
#
#   kexe          the bundle, as run by users (with its memory check)
#   kexe-nocheck  the bundle with --no-memory-check (what the kernel needs)
#   kexe-consume  the bundle with --consume (frees the bundle file's pages
#                 in tmpfs as it unpacks them)
#   kexec-tools   Debian's kexec -s -l KERNEL --initrd=... && kexec -e,
#                 same kernel, initrd and command line
#
#   tests/e2e/minram.sh [--lo MIB] [--hi MIB] [LOADER...]   (default: all four)
#
# Bisection assumes that more RAM never hurts. Each probe is a full
# two-stage boot (about a minute under TCG). Results are printed and
# written to $BUILD/e2e/minram.txt; serial logs to $BUILD/e2e/minram/.
set -eu
. "$(dirname "$0")/lib.sh"

lo=256 hi=2048 step=32
while [ $# -gt 0 ]; do
    case $1 in
    --lo) lo=$2; shift 2 ;;
    --hi) hi=$2; shift 2 ;;
    -*) die "usage: minram.sh [--lo MIB] [--hi MIB] [kexe|kexe-nocheck|kexe-consume|kexec-tools...]" ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || set -- kexe kexe-nocheck kexe-consume kexec-tools
check_tools
out="$E2E_OUT/minram"
mkdir -p "$E2E_OUT"
exec 9>"$E2E_OUT/.minram.lock"
flock -n 9 || die "another minram.sh is using $out"
rm -rf "$out"; mkdir -p "$out"
prepare_guests "$out"
[ -n "$E2E_ACCEL" ] || die "harness self-test failed"

# boots LOADER MIB: does the large scenario pass with MIB of guest RAM?
boots() {
    local loader=$1 mib=$2 W="$out/run-$1-$2" args= kind=kexe start=$SECONDS rc=0 why
    case $loader in
    kexec-tools) kind=kexec-tools ;;
    kexe-nocheck) args=--no-memory-check ;;
    kexe-consume) args=--consume ;;
    esac
    mkdir -p "$W"
    E2E_LOADER=$kind E2E_KEXE_ARGS=$args E2E_LARGE_MEM=${mib}M \
        "$E2E/run-scenario.sh" large "$W" >"$W/harness.out" 2>&1 || rc=$?
    if [ "$rc" = 0 ]; then
        echo "  $loader ${mib} MiB: boots ($((SECONDS - start))s)" >&2
    else
        why=$(cat "$W/reason" 2>/dev/null || echo "exit $rc")
        echo "  $loader ${mib} MiB: fails: $why ($((SECONDS - start))s)" >&2
        cp "$W/large.log" "$out/$loader-$mib.log" 2>/dev/null || true
    fi
    rm -rf "$W"
    return "$rc"
}

results=
for loader in "$@"; do
    case $loader in kexe | kexe-nocheck | kexe-consume | kexec-tools) ;; *) die "unknown loader $loader" ;; esac
    log "bisecting $loader between $lo and $hi MiB in $step MiB steps"
    r="$loader: $(bisect_ram "$loader" "$lo" "$hi" "$step")" || true
    log "minimum RAM, $r"
    results="$results$r"$'\n'
done
{
    echo "minimum guest RAM for kernel $(basename "$(dirname "$KERNEL")") +" \
        "a ${E2E_LARGE_MIB} MiB incompressible initrd file ($E2E_ACCEL, ${step} MiB steps):"
    printf '%s' "$results"
} | tee "$E2E_OUT/minram.txt"
