# noproc: /proc is unmounted before the bundle runs (it must find itself via
# AT_EXECFN / argv[0]); stage 2 must still boot with the expected marker.
scenario_run() {
    local cmdline; cmdline=$(s2_cmdline noproc)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    guest_script <<'EOS'
umount /proc
if [ -e /proc/self ]; then echo "KEXE-E2E-PROC still mounted"; else echo "KEXE-E2E-PROC unmounted"; fi
run_boot noproc ./boot.kexe
EOS
    boot_stage1 noproc "$E2E_MEM"
    serial "$LOG" | grep -q '^KEXE-E2E-PROC unmounted$' ||
        fail "could not unmount /proc in stage 1: $(log_hint "$LOG")"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
}
