# detach: run from the console (stdin is a terminal), the bundle loads the
# kernel, says it will reboot, detaches and returns 0 at once; the caller's
# shell goes on (its marker comes first) and the reboot follows the delay.
scenario_run() {
    local cmdline; cmdline=$(s2_cmdline detach)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    guest_script <<'EOS'
./boot.kexe --delay 3
echo "KEXE-E2E-SHELL-RETURNED rc=$?"
sleep 60
EOS
    boot_stage1 detach "$E2E_MEM"
    serial "$LOG" | grep -q '^kexe: kernel loaded; rebooting into it in 3 s, detached' ||
        fail "no detach message: $(log_hint "$LOG")" || return 1
    serial "$LOG" | sed -n '/^KEXE-E2E-SHELL-RETURNED rc=0$/,$p' | grep -q '^KEXE-E2E-STAGE2-BEGIN$' ||
        fail "the shell did not get control back before the reboot: $(log_hint "$LOG")" || return 1
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
}
