# uki: a Unified Kernel Image built from Debian's systemd-stub with objcopy (mkuki.sh) holds
# the kernel, the stage-2 initrd and a command line; `kexe pack --uki` packs its parts, adding
# one more initrd (--initrd) and a word to the command line (--append). Stage 2 must see the
# UKI's command line plus the appended word, and the files of both initrds.
scenario_run() {
    local cmdline stub extra
    cmdline=$(s2_cmdline uki)
    stub=$("$E2E/fetch-efi-stub.sh") || { fail "cannot fetch systemd-stub (systemd-boot-efi)"; return 1; }
    "$E2E/mkuki.sh" "$stub" "$KERNEL" "$STAGE2" "$cmdline" "$W/uki.efi" 2>"$W/mkuki.err" ||
        { fail "mkuki.sh failed: $(tail -n1 "$W/mkuki.err")"; return 1; }
    extra=$(initrd text uki-extra)
    "$KEXE" pack --uki "$W/uki.efi" --initrd "$extra" --append kexe.uki=appended \
        -o "$GUEST/boot.kexe" >"$W/pack.out" 2>&1 ||
        { fail "kexe pack --uki failed: $(tail -n1 "$W/pack.out")"; return 1; }
    note "$(basename "$stub") from $(basename "$(dirname "$stub")"), UKI $(stat -c %s "$W/uki.efi") bytes"
    guest_script <<'EOS'
run_boot uki ./boot.kexe
EOS
    boot_stage1 uki "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline kexe.uki=appended" "$STAGE2.files" "$extra.files"
}
