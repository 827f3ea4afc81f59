#!/bin/bash
# Run one scenario: tests/e2e/scenarios/NAME.sh defines scenario_run, which
# builds bundles and a stage-1 script with the helpers below, boots the
# guest with boot_stage1 and checks the serial log with check.sh.
#
#   run-scenario.sh NAME WORKDIR
#
# Needs KERNEL, STAGE1, STAGE2 (initrd paths) and E2E_ACCEL in the
# environment (run.sh sets them). Exit 0 = pass. On failure the reason is in
# WORKDIR/reason; details for the PASS line in WORKDIR/note; serial logs in
# WORKDIR/*.log.
set -eu
. "$(dirname "$0")/lib.sh"
. "$E2E/check.sh"
name=$1 W=$2
REASON_FILE="$W/reason" NOTE_FILE="$W/note"
: "${KERNEL:?}" "${STAGE1:?}" "${STAGE2:?}" "${E2E_ACCEL:?}"
trap 'fail "harness error (exit $?) at $(basename "${BASH_SOURCE[0]}"):$LINENO: $BASH_COMMAND" 2>/dev/null || true' ERR

ROOTFS="$W/root"          # added to the stage-1 initrd's root
GUEST="$ROOTFS/e2e"       # /e2e/ in stage 1: bundles and scenario.sh
mkdir -p "$GUEST"

# The kernel command line a test bundle is packed with.
s2_cmdline() { printf 'console=%s panic=-1 kexe.e2e=%s\n' "$E2E_CONSOLE" "$1"; }

# pack OUT ARGS...: make a bundle with the kexe packer (on the host; the
# packer only writes files). arm64 bundles pack the gzip'd kernel (lib.sh).
pack() {
    local out=$1; shift
    "$KEXE" pack --kernel "${E2E_PACK_KERNEL:-$KERNEL}" "$@" -o "$out" >"$W/pack.out" 2>&1 ||
        fail "kexe pack failed: $(tail -n1 "$W/pack.out")" || return 1
}

# initrd KIND [NAME [MIB]]: path of a cached test initrd (see mkinitrd.sh).
initrd() { "$E2E/mkinitrd.sh" "$@"; }

# add_kexec_tools: put kexec-tools' kexec and its libraries into stage 1.
add_kexec_tools() {
    local kt; kt=$("$E2E/fetch-kexec-tools.sh")
    cp -a "$kt/." "$ROOTFS/"
}

# guest_script: the stage-1 commands (busybox sh, run in /e2e) from stdin.
guest_script() { cat >"$GUEST/scenario.sh"; }

# What boot_stage1 boots; a scenario may change them before calling it: the stage-1 kernel,
# words added to its command line, and further QEMU arguments (e.g. UEFI firmware).
S1_KERNEL=$KERNEL S1_APPEND= S1_QEMU=()

# boot_stage1 TAG MEM [TIMEOUT]: boot stage 1 with the files in $ROOTFS;
# the serial log is $W/TAG.log (in $LOG). Returns 0 whatever the guest did.
boot_stage1() {
    local tag=$1 mem=$2 timeout=${3:-$E2E_TIMEOUT} rc=0
    LOG="$W/$tag.log"
    mkcpio "$ROOTFS" "$W/guest.cpio"
    cat "$STAGE1" "$W/guest.cpio" >"$W/stage1.cpio"
    rm -f "$W/guest.cpio"
    "$E2E/qemu-boot.sh" "$S1_KERNEL" "$W/stage1.cpio" \
        "console=$E2E_CONSOLE panic=-1 kexe.e2e=stage1${S1_APPEND:+ $S1_APPEND}" "$mem" \
        "$timeout" "$LOG" ${S1_QEMU[@]+"${S1_QEMU[@]}"} || rc=$?
    rm -f "$W/stage1.cpio"
    [ "$rc" = 0 ] || [ "$rc" = 124 ] || fail "qemu failed (exit $rc): $(tail -n1 "$LOG")"
}

. "$E2E/scenarios/$name.sh"
scenario_run
