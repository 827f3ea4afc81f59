# cmdline: --append adds to the packed command line, --cmdline replaces it.
# Two boots; /proc/cmdline in stage 2 must be exactly as expected.
scenario_run() {
    local packed append replaced
    packed=$(s2_cmdline cmdline)
    append='kexe.appended=1 msg="two words"'
    replaced="console=$E2E_CONSOLE panic=-1 kexe.e2e=cmdline-replaced"
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$packed"

    guest_script <<EOS
run_boot append ./boot.kexe --append '$append'
EOS
    boot_stage1 append "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$packed $append" "$STAGE2.files"

    guest_script <<EOS
run_boot replace ./boot.kexe --cmdline '$replaced'
EOS
    boot_stage1 replace "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$replaced" "$STAGE2.files"
}
