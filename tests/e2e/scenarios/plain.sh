# plain: the bundle run as ./boot.kexe from busybox sh boots stage 2.
scenario_run() {
    local cmdline; cmdline=$(s2_cmdline plain)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    guest_script <<'EOS'
run_boot plain ./boot.kexe
EOS
    boot_stage1 plain "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
}
