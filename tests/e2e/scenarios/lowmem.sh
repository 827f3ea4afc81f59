# lowmem: a bundle whose payload ($E2E_LOWMEM_MIB MiB: an initrd of zeros,
# which packs small) needs more memory than the guest has ($E2E_LOWMEM_MEM,
# enough to boot stage 1). The bundle must refuse with exit code 5 and a
# "kexe: " message about memory (the MiB needed and available); exit code 6
# (the kernel refused the load) with such a message is accepted and noted.
# Stage 1 must go on afterwards.
scenario_run() {
    local cmdline zeros rc msg
    cmdline=$(s2_cmdline lowmem)
    zeros=$(initrd zeros zeros.bin "$E2E_LOWMEM_MIB")
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --initrd "$zeros" --cmdline "$cmdline"
    guest_script <<'EOS'
run_refused lowmem ./boot.kexe
alive lowmem
EOS
    boot_stage1 lowmem "$E2E_LOWMEM_MEM"
    rc=$(serial "$LOG" | sed -n 's/^KEXE-E2E-RESULT lowmem rc=//p' | tail -n1)
    if [ "$rc" = 6 ]; then
        expect_refused "$LOG" lowmem 6 memory
        note "exit 6 (kernel refused the load), not 5"
    else
        expect_refused "$LOG" lowmem 5 memory
    fi
    msg=$(serial "$LOG" | sed -n 's/^KEXE-E2E-STDERR lowmem //p' | tail -n1)
    case $msg in *MiB*) ;; *) fail "lowmem: message does not give the MiB: '$msg'" ;; esac
    expect_alive "$LOG" lowmem
}
