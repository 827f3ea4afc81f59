# large: a bundle whose initrd holds a $E2E_LARGE_MIB MiB incompressible
# file (default 256), in a guest with $E2E_LARGE_MEM of RAM. Stage 2 hashes
# the whole file. E2E_LOADER=kexec-tools boots the same kernel and initrd
# with kexec-tools instead, E2E_KEXE_ARGS adds options to the bundle's run
# (minram.sh uses these).
scenario_run() {
    local cmdline big
    cmdline=$(s2_cmdline large)
    big=$(initrd random large.bin "$E2E_LARGE_MIB")
    case ${E2E_LOADER:-kexe} in
    kexe)
        cat "$STAGE2" "$big" >"$W/large.cpio"
        pack "$GUEST/boot.kexe" --initrd "$W/large.cpio" --cmdline "$cmdline"
        rm -f "$W/large.cpio"
        guest_script <<EOS
run_boot large ./boot.kexe ${E2E_KEXE_ARGS:-}
EOS
        ;;
    kexec-tools)
        add_kexec_tools
        cp "$KERNEL" "$GUEST/vmlinuz"
        cat "$STAGE2" "$big" >"$GUEST/large.cpio"
        guest_script <<EOS
run_kexec_tools large /e2e/vmlinuz /e2e/large.cpio "$cmdline"
EOS
        ;;
    *) fail "E2E_LOADER must be kexe or kexec-tools" ;;
    esac
    boot_stage1 large "$E2E_LARGE_MEM" $((E2E_TIMEOUT * 2))
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" "$big.files"
    note "${E2E_LARGE_MIB} MiB initrd file, guest RAM $E2E_LARGE_MEM"
}
