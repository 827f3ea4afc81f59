# legacy-uefi: the kexec_load path (--syscall legacy) on a host that booted through UEFI
# (OVMF): the e820 table from /sys/firmware/memmap, and the ACPI RSDP handed over in
# boot_params (the new kernel gets no EFI system table from us, so that is how it finds ACPI).
# Stage 2 must find ACPI and get exactly the packed cmdline and initrd.
scenario_run() {
    local cmdline fw
    cmdline=$(s2_cmdline legacy-uefi)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    S1_QEMU=(-bios /usr/share/ovmf/OVMF.fd)
    guest_script <<'EOS'
echo "KEXE-E2E-RSDP $(grep -m1 -o 'ACPI20=0x[0-9a-f]*' /sys/firmware/efi/systab)"
run_boot legacy-uefi ./boot.kexe --syscall legacy --foreground
EOS
    boot_stage1 legacy-uefi "$E2E_MEM"
    serial "$LOG" | sed -n '1,/^KEXE-E2E-STAGE1-BEGIN/p' | grep -q 'efi: EFI v' ||
        fail "stage 1 did not boot through UEFI: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-RSDP ACPI20=0x' ||
        fail "stage 1 has no ACPI 2.0 table in /sys/firmware/efi/systab" || return 1
    expect_kexec "$LOG" || return 1
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" || return 1
    fw=$(serial "$LOG" | grep -m1 '^KEXE-E2E-FIRMWARE' || echo 'no firmware line')
    [ "$fw" = "KEXE-E2E-FIRMWARE efi=no acpi=yes" ] ||
        fail "stage 2: $fw (want ACPI found through the RSDP in boot_params)"
}
