# preflight: failed preflight checks refuse before anything is loaded and the
# first system keeps running: inside a "container" (/.dockerenv), and with
# kexec disabled (kernel.kexec_load_disabled=1, which cannot be undone, so
# last). --check prints its verdicts.
scenario_run() {
    local cmdline; cmdline=$(s2_cmdline preflight)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    guest_script <<'EOS'
./boot.kexe --check | while IFS= read -r l; do echo "KEXE-E2E-CHECK $l"; done
touch /.dockerenv
run_refused container ./boot.kexe --foreground
rm /.dockerenv
echo 1 >/proc/sys/kernel/kexec_load_disabled
run_refused disabled ./boot.kexe --foreground
alive preflight
EOS
    boot_stage1 preflight "$E2E_MEM"
    serial "$LOG" | grep -q '^KEXE-E2E-CHECK verdict: ready to load$' ||
        fail "--check did not say ready: $(serial "$LOG" | grep '^KEXE-E2E-CHECK' | tr '\n' ' ')" ||
        return 1
    expect_refused "$LOG" container 4 "container (docker)"
    expect_refused "$LOG" disabled 4 "kexec is disabled"
    expect_alive "$LOG" preflight
}
