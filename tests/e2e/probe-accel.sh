#!/bin/bash
# Find an accelerator that really boots the test kernel here; print it.
# Tries KVM with a short real boot (the stage-2 initrd booted directly,
# its marker checked), then TCG. This is also the harness's self-test: if
# neither boots, the harness itself is broken and this exits 1.
#
#   probe-accel.sh KERNEL STAGE2_INITRD LOGDIR
set -eu
. "$(dirname "$0")/lib.sh"
. "$E2E/check.sh"
kernel=$1 initrd=$2 logdir=$3
mkdir -p "$logdir"
cmdline="console=$E2E_CONSOLE panic=-1 kexe.e2e=probe"

try() {
    local accel=$1 timeout=$2 log="$logdir/probe-$1.log"
    if E2E_ACCEL=$accel "$E2E/qemu-boot.sh" "$kernel" "$initrd" "$cmdline" \
        "$E2E_MEM" "$timeout" "$log" &&
        expect_stage2 "$log" "$cmdline" "$initrd.files" 2>/dev/null; then
        rm -f "$log"
        return 0
    fi
    log "$accel does not boot the test kernel: $(log_hint "$log")"
    return 1
}

if [ "$E2E_ARCH" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && try kvm "${E2E_KVM_PROBE_TIMEOUT:-20}"; then
    echo kvm
elif try tcg 120; then
    echo tcg
else
    die "no accelerator boots the test kernel; serial logs in $logdir"
fi
