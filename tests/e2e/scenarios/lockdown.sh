# lockdown: under kernel lockdown (lockdown=integrity on the stage-1 command line) a bundle run
# with no --syscall (auto) still boots, through kexec_file_load: lockdown rules kexec_load out,
# and kexec_file_load loads a kernel whose signature the running kernel can check.
# Stage 1 runs on UEFI firmware (OVMF, pflash) with the variables of Debian's snakeoil template,
# which has the snakeoil certificate in db; the kernel loads db into its platform keyring,
# which kexec_file_load checks signatures against. The bundle packs Debian's kernel re-signed
# with the snakeoil key (sign-kernel.sh); Debian's own signature would be refused.
# The template also turns secure boot on, which would lock the kernel down by itself; its
# SecureBootEnable byte is cleared in the scenario's copy so that only lockdown=integrity does.
# Stage 1 mounts securityfs, as a real host has it, so the bundle sees the lockdown.
# E2E_LOCKDOWN_UNSIGNED=1 packs Debian's kernel as it is: the scenario must then FAIL.
# (E2E_OVMF_CODE and E2E_OVMF_VARS: lib.sh.)

scenario_run() {
    local cmdline kernel k
    cmdline=$(s2_cmdline lockdown)
    [ -r "$E2E_OVMF_CODE" ] && [ -r "$E2E_OVMF_VARS" ] ||
        { fail "$E2E_OVMF_CODE or $E2E_OVMF_VARS missing (apt-get install ovmf)"; return 1; }
    if [ "${E2E_LOCKDOWN_UNSIGNED:-0}" = 1 ]; then
        kernel=$KERNEL
        note "E2E_LOCKDOWN_UNSIGNED=1: packed Debian's kernel as signed by Debian"
    else
        kernel=$("$E2E/sign-kernel.sh" "$KERNEL" 2>"$W/sign.err") ||
            { fail "cannot sign the kernel: $(tail -n1 "$W/sign.err")"; return 1; }
    fi
    E2E_PACK_KERNEL=$kernel pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    snakeoil_pflash "$W/vars.fd" 2>"$W/vars.err" ||
        { fail "$(cat "$W/vars.err") ($E2E_OVMF_VARS)"; return 1; }
    S1_APPEND=lockdown=integrity
    S1_QEMU=("${PFLASH[@]}")
    guest_script <<'EOS'
mount -t securityfs none /sys/kernel/security
echo "KEXE-E2E-LOCKDOWN $(cat /sys/kernel/security/lockdown)"
./boot.kexe --check | while IFS= read -r l; do echo "KEXE-E2E-CHECK $l"; done
run_boot lockdown ./boot.kexe
EOS
    boot_stage1 lockdown "$E2E_MEM"

    # stage 1: locked down by the command line alone, with the snakeoil certificate from db
    serial "$LOG" | grep -q 'Kernel is locked down from command line' ||
        fail "stage 1 not locked down from the command line: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q 'secureboot: Secure boot disabled' ||
        fail "stage 1: secure boot is not reported disabled" || return 1
    k=$(serial "$LOG" | grep -m1 -o "integrity: Loaded X.509 cert 'SnakeOil[^']*'" || true)
    [ -n "$k" ] || fail "stage 1 did not load the snakeoil certificate from UEFI db" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-LOCKDOWN .*\[integrity\]' ||
        fail "securityfs: $(serial "$LOG" | grep '^KEXE-E2E-LOCKDOWN' || echo 'no lockdown line')" ||
        return 1
    # the bundle sees it and chooses kexec_file_load
    serial "$LOG" | grep -q '^KEXE-E2E-CHECK WARN  *lockdown  *kernel lockdown is active (integrity)' ||
        fail "--check did not warn about lockdown (integrity): $(serial "$LOG" |
            grep '^KEXE-E2E-CHECK' | tr '\n' ' ')" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-CHECK pass  *syscall  *kexec_file_load ' ||
        fail "--check did not choose kexec_file_load: $(serial "$LOG" |
            grep '^KEXE-E2E-CHECK .* syscall ' || echo 'no syscall line')" || return 1
    note "${k#integrity: }; $(serial "$LOG" | grep -m1 '^KEXE-E2E-CHECK pass  *syscall ' |
        sed 's/^KEXE-E2E-CHECK pass  *syscall  */syscall: /')"
    # the running kernel refused nothing (it logs "Lockdown: ...: kexec of unsigned images is
    # restricted" for an image it cannot verify, and for any kexec_load)
    k=$(serial "$LOG" | grep -m1 -o 'Lockdown: .*kexec.*restricted' || true)
    [ -z "$k" ] || fail "stage 1 refused the kernel ($k): $(log_hint "$LOG")" || return 1
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
}
