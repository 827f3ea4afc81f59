# uefi (arm64): stage 1 boots the way arm64 cloud hosts (Hetzner CAX, Graviton, Ampere) do:
# through UEFI firmware with ACPI, not with a device tree from the firmware. The firmware is
# AAVMF (edk2 for QEMU's virt machine; Debian's qemu-efi-aarch64) on pflash, a read-only code
# image and a per-run copy of the variable store. QEMU still passes the kernel with -kernel;
# edk2 starts it through its EFI stub, which hands the kernel a device tree holding nothing but
# /chosen (linux,uefi-system-table, linux,uefi-mmap-*), and the kernel boots from ACPI.
# Debian's arm64 kernel has no kexec_file_load, so ./boot.kexe takes the loader's kexec_load
# path, which passes on that tree with a new /chosen (stub/fdt.c).
#
# Boot 1: ./boot.kexe; stage 2 must find UEFI and ACPI again (its kernel log, and
# /sys/firmware/efi and /sys/firmware/acpi/tables) and print exactly the packed command line
# and files. The CPU is a Cortex-A57, which like the Neoverse N1 of Graviton2 and Ampere Altra
# has no RNDR: a kernel then randomizes its addresses (KASLR) only with a kaslr-seed in /chosen,
# and the one the running kernel was given is zeroed once used. Stage 1 waits for its entropy
# pool (a blocking read of /dev/random), and the loader's new kaslr-seed and rng-seed must show
# in stage 2 as "KASLR enabled" and a "crng init done" at time 0.
# Boot 2: a bundle without an initrd. The EFI stub also leaves a UEFI configuration table
# pointing at the first kernel's initrd (LINUX_EFI_INITRD_MEDIA_GUID), which a kernel uses when
# the device tree names no initrd; the loader passes an empty one (a page of zeros) instead, so
# stage 2 must unpack 4K and never the stale one ("Initramfs unpacking failed"). It has no init
# and ends in the expected "VFS: Unable to mount root fs" panic.
: "${E2E_AAVMF_CODE:=/usr/share/AAVMF/AAVMF_CODE.fd}"
: "${E2E_AAVMF_VARS:=/usr/share/AAVMF/AAVMF_VARS.fd}"
: "${E2E_UEFI_CPU:=cortex-a57}"

# uefi_qemu: the pflash pair, with a fresh copy of the variable store, and a CPU without RNDR
# (QEMU takes the last -cpu: this one, not qemu-boot.sh's "max").
uefi_qemu() {
    uefi_pflash "$E2E_AAVMF_CODE" "$E2E_AAVMF_VARS" "$W/vars.fd" || return 1
    S1_QEMU=("${PFLASH[@]}" -cpu "$E2E_UEFI_CPU")
}

# The stage-1 lines that show how the firmware started it.
UEFI_STAGE1_FACTS='yn() { if [ -e "$1" ]; then echo yes; else echo no; fi; }
echo "KEXE-E2E-FIRMWARE efi=$(yn /sys/firmware/efi) acpi=$(yn /sys/firmware/acpi/tables)"
echo "KEXE-E2E-FDT $(wc -c </sys/firmware/fdt) bytes: $(strings -n 4 /sys/firmware/fdt | tr "\t\n" "  ")"'

# new_kernel_log LOG: the kernel messages of the boot that kexec started.
new_kernel_log() {
    serial "$1" | sed -n '/kexec_core: Starting new kernel/,/^KEXE-E2E-STAGE2-BEGIN$/p'
}

scenario_run() {
    local cmdline fdt s2 k
    cmdline=$(s2_cmdline uefi)
    [ "$E2E_ARCH" = arm64 ] || { fail "uefi is an arm64 scenario (run it as arm64:uefi)"; return 1; }
    [ -r "$E2E_AAVMF_CODE" ] && [ -r "$E2E_AAVMF_VARS" ] ||
        { fail "$E2E_AAVMF_CODE or $E2E_AAVMF_VARS missing (apt-get install qemu-efi-aarch64)"; return 1; }

    # boot 1
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    uefi_qemu || { fail "cannot copy $E2E_AAVMF_VARS"; return 1; }
    guest_script <<EOS
$UEFI_STAGE1_FACTS
head -c 1 /dev/random >/dev/null && echo KEXE-E2E-CRNG-READY
run_boot uefi ./boot.kexe
EOS
    boot_stage1 uefi "$E2E_MEM"
    # stage 1 came up through UEFI's EFI stub, on ACPI, with the stub's device tree
    serial "$LOG" | grep -q 'EFI stub: Booting Linux Kernel' ||
        fail "stage 1 did not boot through the EFI stub: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-FIRMWARE efi=yes acpi=yes$' ||
        fail "stage 1: $(serial "$LOG" | grep -m1 '^KEXE-E2E-FIRMWARE' || echo 'no firmware line')" ||
        return 1
    serial "$LOG" | sed -n '1,/^KEXE-E2E-STAGE1-BEGIN/p' | grep -q 'ACPI: RSDP' ||
        fail "stage 1 found no ACPI tables" || return 1
    fdt=$(serial "$LOG" | grep -m1 '^KEXE-E2E-FDT ' || true)
    case $fdt in
    *linux,uefi-system-table*linux,uefi-mmap-start*) ;;
    *) fail "stage 1's /sys/firmware/fdt has no UEFI properties in /chosen: ${fdt:-no fdt line}"
        return 1 ;;
    esac
    note "stage 1: EFI stub, ACPI; /sys/firmware/fdt ${fdt#KEXE-E2E-FDT }"
    # the loader fell back to kexec_load (Debian's arm64 kernel lacks kexec_file_load)
    k=$(serial "$LOG" | grep -m1 '^kexe: .*loading with kexec_load$' || true)
    [ -n "$k" ] || fail "the bundle did not load through kexec_load: $(log_hint "$LOG")" || return 1
    note "loaded: ${k#kexe: }"
    expect_kexec "$LOG" || return 1
    # stage 2 found the UEFI system table, and through it ACPI, again
    s2=$(new_kernel_log "$LOG")
    printf '%s\n' "$s2" | grep -q 'efi: EFI v[0-9.]* by ' ||
        fail "stage 2's kernel found no UEFI system table: $(log_hint "$LOG")" || return 1
    printf '%s\n' "$s2" | grep -q 'ACPI: RSDP' ||
        fail "stage 2's kernel found no ACPI tables" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-FIRMWARE efi=yes acpi=yes$' ||
        fail "stage 2: $(serial "$LOG" | sed -n '/^KEXE-E2E-STAGE2-BEGIN$/,$p' |
            grep -m1 '^KEXE-E2E-FIRMWARE' || echo 'no firmware line')" || return 1
    [ "$(serial "$LOG" | grep -c '^KEXE-E2E-FIRMWARE efi=yes acpi=yes$')" = 2 ] ||
        fail "stage 2 has no /sys/firmware/efi or /sys/firmware/acpi/tables" || return 1
    note "stage 2: $(printf '%s\n' "$s2" | grep -m1 -o 'efi: EFI v[0-9.]* by .*'), ACPI, /sys/firmware/efi"
    # the loader's fresh seeds (getrandom() works once stage 1's pool is ready)
    serial "$LOG" | grep -q '^KEXE-E2E-CRNG-READY$' ||
        fail "stage 1's entropy pool never got ready" || return 1
    k=$(printf '%s\n' "$s2" | grep -m1 -o 'KASLR [a-z].*' || true)
    [ "$k" = "KASLR enabled" ] || fail "stage 2: ${k:-no KASLR line} (no kaslr-seed from the loader?)" ||
        return 1
    printf '%s\n' "$s2" | grep -q '^\[    0\.000000\] random: crng init done' ||
        fail "stage 2's entropy pool was not seeded at boot (no rng-seed from the loader?)" || return 1
    note "stage 2 on $E2E_UEFI_CPU (no RNDR): KASLR enabled and crng ready at 0 s from the loader's kaslr-seed and rng-seed"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" || return 1

    # boot 2: no initrd in the bundle
    rm -f "$GUEST/boot.kexe"
    pack "$GUEST/noinitrd.kexe" --cmdline "$(s2_cmdline uefi-noinitrd)"
    uefi_qemu || { fail "cannot copy $E2E_AAVMF_VARS"; return 1; }
    guest_script <<'EOS'
run_boot uefi-noinitrd ./noinitrd.kexe
EOS
    boot_stage1 uefi-noinitrd "$E2E_MEM"
    serial "$LOG" | grep -q 'kexec_core: Starting new kernel' ||
        fail "no initrd: no kexec: $(log_hint "$LOG")" || return 1
    s2=$(new_kernel_log "$LOG")
    k=$(printf '%s\n' "$s2" | grep -m1 -o 'Initramfs unpacking failed.*' || true)
    [ -z "$k" ] || fail "no initrd: stage 2 took the stale UEFI initrd ($k)" || return 1
    [ "$(serial "$LOG" | grep -c '^KEXE-E2E-STAGE1-BEGIN')" = 1 ] ||
        fail "no initrd: stage 2 ran stage 1's initrd again" || return 1
    printf '%s\n' "$s2" | grep -q 'Freeing initrd memory: 4K$' ||
        fail "no initrd: stage 2 did not get the empty initrd: $(printf '%s\n' "$s2" |
            grep -m1 'Freeing initrd memory' || echo 'no initrd at all')" || return 1
    printf '%s\n' "$s2" | grep -q 'Kernel command line: .*kexe.e2e=uefi-noinitrd' ||
        fail "no initrd: stage 2 has another command line" || return 1
    printf '%s\n' "$s2" | grep -q 'VFS: Unable to mount root fs' ||
        fail "no initrd: stage 2 did not end at the root fs: $(log_hint "$LOG")" || return 1
    note "no initrd: stage 2 unpacked the empty initrd (Freeing initrd memory: 4K), not the stale UEFI one"
}
