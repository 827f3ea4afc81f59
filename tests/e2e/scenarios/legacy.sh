# legacy: the bundle loads through kexec_load (--syscall legacy): our own
# boot_params, e820 table, placement and purgatory instead of the kernel's
# kexec_file_load; stage 2 must get exactly the packed cmdline and initrds.
scenario_run() {
    local cmdline extra
    cmdline=$(s2_cmdline legacy)
    extra=$(initrd text legacy-extra)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --initrd "$extra" --cmdline "$cmdline"
    guest_script <<'EOS'
run_boot legacy ./boot.kexe --syscall legacy --foreground
EOS
    boot_stage1 legacy "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" "$extra.files"
}
