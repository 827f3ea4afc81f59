#!/bin/bash
# Boot one headless QEMU guest and write its serial console to a log.
#
#   qemu-boot.sh KERNEL INITRD CMDLINE MEM TIMEOUT LOG [QEMU-ARG...]
#
# QEMU-ARGs are added to QEMU's command line (e.g. the -drive if=pflash pair of UEFI firmware).
# Acceleration comes from $E2E_ACCEL ("kvm" or "tcg", default tcg); the machine from
# $E2E_ARCH (x86_64: pc; arm64: virt, TCG only, -cpu max with QEMU's own pointer
# authentication algorithm, which TCG runs several times faster than the architected one).
# -no-reboot makes a guest reboot or panic end QEMU; a guest that hangs is
# killed after TIMEOUT seconds. Exit status: 0 when QEMU ended by itself,
# 124 on timeout, else QEMU's own status.
set -eu
[ $# -ge 6 ] || { echo "usage: $0 KERNEL INITRD CMDLINE MEM TIMEOUT LOG [QEMU-ARG...]" >&2; exit 2; }
kernel=$1 initrd=$2 cmdline=$3 mem=$4 timeout=$5 log=$6
shift 6

case ${E2E_ARCH:-x86_64}:${E2E_ACCEL:-tcg} in
x86_64:kvm) accel=(-accel kvm -cpu host) ;;
x86_64:tcg) accel=(-accel tcg -cpu max) ;;
arm64:tcg) accel=(-accel tcg -cpu max,pauth-impdef=on) ;;
*) echo "qemu-boot.sh: E2E_ACCEL must be kvm or tcg (arm64: tcg)" >&2; exit 2 ;;
esac
case ${E2E_ARCH:-x86_64} in
x86_64) machine=(qemu-system-x86_64 -machine pc) ;;
arm64) machine=(qemu-system-aarch64 -machine virt) ;;
*) echo "qemu-boot.sh: E2E_ARCH must be x86_64 or arm64" >&2; exit 2 ;;
esac

qemu_pid=
cleanup() { [ -z "$qemu_pid" ] || kill -KILL "$qemu_pid" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

: >"$log"
"${machine[@]}" "${accel[@]}" -smp 1 -m "$mem" \
    -nodefaults -display none -no-reboot -nic none \
    -serial "file:$log" -monitor none \
    -kernel "$kernel" -initrd "$initrd" -append "$cmdline" "$@" \
    </dev/null >"$log.qemu" 2>&1 &
qemu_pid=$!

# Wait for QEMU to end by itself, or kill it when the time is up.
rc=124
deadline=$((SECONDS + timeout))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$qemu_pid" 2>/dev/null; do
    sleep 0.2
done
if kill -0 "$qemu_pid" 2>/dev/null; then
    kill -TERM "$qemu_pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
    echo "e2e: qemu killed after ${timeout}s" >>"$log.qemu"
else
    rc=0
    wait "$qemu_pid" || rc=$?
fi
qemu_pid=
# QEMU's own messages (if any) go after the serial log, marked as such.
if [ -s "$log.qemu" ]; then sed 's/^/[qemu] /' "$log.qemu" >>"$log"; fi
rm -f "$log.qemu"
exit "$rc"
