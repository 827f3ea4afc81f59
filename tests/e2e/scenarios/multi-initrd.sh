# multi-initrd: two initrds packed into the bundle (a plain cpio and a
# gzip'd one) plus one added at run time with --initrd (xz); stage 2 must
# see the files of all three.
scenario_run() {
    local cmdline pack2 runtime
    cmdline=$(s2_cmdline multi-initrd)
    pack2=$(initrd text from-pack2)
    runtime=$(initrd text from-runtime)
    gzip -9n <"$pack2" >"$W/pack2.cpio.gz"
    xz --check=crc32 <"$runtime" >"$GUEST/runtime.cpio.xz"
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --initrd "$W/pack2.cpio.gz" --cmdline "$cmdline"
    guest_script <<'EOS'
run_boot multi-initrd ./boot.kexe --initrd /e2e/runtime.cpio.xz
EOS
    boot_stage1 multi-initrd "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" "$pack2.files" "$runtime.files"
}
