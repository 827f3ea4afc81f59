# legacy-mapped: one gzip'd initrd (stored raw in the bundle) loaded through
# kexec_load straight from the bundle's own pages, with no copy of ours; the
# --check line says so, and stage 2 must get exactly the packed files.
scenario_run() {
    local cmdline; cmdline=$(s2_cmdline legacy-mapped)
    gzip -1n <"$STAGE2" >"$W/stage2.cpio.gz"
    pack "$GUEST/boot.kexe" --initrd "$W/stage2.cpio.gz" --cmdline "$cmdline"
    guest_script <<'EOS'
./boot.kexe --syscall legacy --check | while IFS= read -r l; do echo "KEXE-E2E-CHECK $l"; done
run_boot legacy-mapped ./boot.kexe --syscall legacy --foreground
EOS
    boot_stage1 legacy-mapped "$E2E_MEM"
    serial "$LOG" | grep -q '^KEXE-E2E-CHECK pass  syscall     kexec_load, the initrd read where it lies' ||
        fail "the initrd was not read from the bundle: $(serial "$LOG" | grep 'KEXE-E2E-CHECK pass  syscall')" ||
        return 1
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
}
