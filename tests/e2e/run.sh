#!/bin/bash
# kexe end-to-end tests: each scenario boots a QEMU guest (stage 1) that runs
# kexe bundles; a bundle that works kexecs into stage 2, which prints a marker
# block (its /proc/cmdline and the sha256 of the files in its initrds) that is
# compared with exact values computed on the host.
#
#   tests/e2e/run.sh [SCENARIO...]      (default: $DEFAULT and $DEFAULT_ARM64 below)
#   tests/e2e/run.sh arm64:plain        (scenario plain in an arm64 guest)
#
# Environment: KEXE (default build/kexe), BUILD (default build), KEXE_CACHE,
# E2E_ACCEL (kvm|tcg: skip the probe), and the sizes in lib.sh.
# Prints "PASS name (Ns)" or "FAIL name: reason" per scenario and closes with
# "N passed, N failed"; exits 1 if any failed. Serial logs of failed
# scenarios are kept in $BUILD/e2e/logs/.
set -eu
. "$(dirname "$0")/lib.sh"

DEFAULT="plain multi-initrd cmdline large broken lowmem noproc detach carry preflight legacy legacy-mapped legacy-uefi sh-pipe nixos-anywhere uki lockdown debian-direct fallback"
# arm64 guests (qemu-system-aarch64 -M virt, TCG): "arm64:NAME" runs scenario NAME there.
DEFAULT_ARM64="arm64:plain arm64:cmdline arm64:foreign-kernel arm64:sh-pipe arm64:uefi arm64:lowmem"
if [ $# -gt 0 ]; then set -- "$@"; else set -- $DEFAULT $DEFAULT_ARM64; fi
for s in "$@"; do
    case $s in arm64:*) ;; *:*) die "unknown architecture in '$s' (arm64:NAME)" ;; esac
    [ -f "$E2E/scenarios/${s#arm64:}.sh" ] ||
        die "unknown scenario '$s' (have: $(cd "$E2E/scenarios" && ls | sed 's/\.sh$//' | tr '\n' ' '))"
done

# One run at a time per build dir: a second one waits (it would wipe the
# first one's work files and logs).
mkdir -p "$E2E_OUT"
exec 9>"$E2E_OUT/.lock"
if ! flock -n 9; then
    log "another e2e run is using $E2E_OUT; waiting for it"
    flock 9
fi
rm -rf "$E2E_OUT/run" "$LOGS"
mkdir -p "$E2E_OUT/run" "$LOGS"

passed=0 failed=0
# The scenarios of one architecture, in the given order, after preparing its guests once.
for arch in x86_64 arm64; do
    names=
    for s in "$@"; do
        case $arch:$s in x86_64:arm64:*) ;; x86_64:*) names="$names $s" ;; arm64:arm64:*) names="$names $s" ;; esac
    done
    [ -n "$names" ] || continue
    set_arch "$arch"
    # Missing tools or guests fail this architecture's scenarios, not the others'.
    logdir=$LOGS
    [ "$arch" = x86_64 ] || logdir=$LOGS/$arch
    if ! setup=$( (check_tools) 2>&1); then
        setup=${setup##*e2e: error: }
    elif guests=$( (prepare_guests "$logdir" && declare -p KERNEL STAGE1 STAGE2 E2E_ACCEL \
        E2E_PACK_KERNEL) 2>"$E2E_OUT/prepare.err"); then
        cat "$E2E_OUT/prepare.err" >&2
        eval "$guests"
    else
        cat "$E2E_OUT/prepare.err" >&2
        setup="cannot prepare the $arch guests: $(tail -n1 "$E2E_OUT/prepare.err")"
    fi
    for s in $names; do
        W="$E2E_OUT/run/${s/:/-}"
        mkdir -p "$W"
        start=$SECONDS
        if [ -z "$setup" ] && [ -n "$E2E_ACCEL" ] &&
            "$E2E/run-scenario.sh" "${s#arm64:}" "$W" >"$W/harness.out" 2>&1; then
            echo "PASS $s ($((SECONDS - start))s)"
            [ ! -f "$W/note" ] || sed 's/^/    /' "$W/note"
            passed=$((passed + 1))
        else
            if [ -n "$setup" ]; then
                reason=$setup
            elif [ -n "$E2E_ACCEL" ]; then
                reason=$(cat "$W/reason" 2>/dev/null || tail -n1 "$W/harness.out" 2>/dev/null || true)
                [ -n "$reason" ] || reason="no reason recorded (harness crashed?)"
            else
                reason="harness self-test failed: no accelerator boots the test kernel (see $LOGS)"
            fi
            echo "FAIL $s: $reason ($((SECONDS - start))s)"
            failed=$((failed + 1))
            for f in "$W"/*.log "$W/harness.out"; do
                [ ! -f "$f" ] || cp "$f" "$LOGS/${s/:/-}-$(basename "$f")"
            done
        fi
        rm -rf "$W"   # bundles and initrds can be large; logs were copied
    done
done
[ "$failed" = 0 ] || log "serial logs of failed scenarios: $LOGS"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
