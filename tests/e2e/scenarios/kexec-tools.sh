# kexec-tools: control case, not a test of kexe. Stage 1 boots stage 2 with
# Debian's kexec-tools (kexec -s -l ... && kexec -e). If this fails, the
# harness or the kernel is at fault, not the bundle.
scenario_run() {
    local cmdline; cmdline=$(s2_cmdline kexec-tools)
    add_kexec_tools
    cp "$KERNEL" "$GUEST/vmlinuz"
    cp "$STAGE2" "$GUEST/initrd.cpio"
    guest_script <<EOS
run_kexec_tools kexec-tools /e2e/vmlinuz /e2e/initrd.cpio "$cmdline"
EOS
    boot_stage1 kexec-tools "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
}
