# lowmem: too little memory for the usual way to load, each architecture its own case.
#
# x86_64: a bundle whose payload ($E2E_LOWMEM_MIB MiB: an initrd of zeros,
# which packs small) needs more memory than the guest has ($E2E_LOWMEM_MEM,
# enough to boot stage 1). The bundle must refuse with exit code 5 and a
# "kexe: " message about memory (the MiB needed and available); exit code 6
# (the kernel refused the load) with such a message is accepted and noted.
# Stage 1 must go on afterwards.
#
# arm64 (arm64:lowmem, issue 17): one raw initrd (a gzip'd cpio: the stage-2 initrd and
# $E2E_LOWMEM_ARM64_MIB MiB of random data, which LZ4 cannot shrink) in a guest of
# $E2E_LOWMEM_ARM64_MEM, too small for kexec_file_load from memfds (about 3 x the payload +
# 32 MiB) but not for kexec_load reading the initrd where it lies in the bundle (1 x + 32 MiB).
# ./boot.kexe runs with no --syscall: auto must say it takes that way because memory is short,
# and stage 2 must boot with exactly the packed command line and files (the loader that passed
# an empty initrd on this way booted stage 2 into "VFS: Unable to mount root fs").
: "${E2E_LOWMEM_ARM64_MIB:=32}"     # random data in the arm64 initrd
: "${E2E_LOWMEM_ARM64_MEM:=256M}"   # arm64 guest RAM: short for kexec_file_load, ample for in place

scenario_run() {
    if [ "$E2E_ARCH" = arm64 ]; then lowmem_in_place; else lowmem_refused; fi
}

lowmem_refused() {
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

lowmem_in_place() {
    local cmdline data sections loading mem
    cmdline=$(s2_cmdline lowmem)
    data=$(initrd random lowmem.bin "$E2E_LOWMEM_ARM64_MIB")
    cat "$STAGE2" "$data" | gzip -1n >"$W/initrd.cpio.gz"
    pack "$GUEST/boot.kexe" --initrd "$W/initrd.cpio.gz" --cmdline "$cmdline"
    # the initrd must be stored raw ("none"), or there is nothing to read in place
    sections=$("$KEXE" info "$GUEST/boot.kexe" | grep -E '^  (kernel|initrd-[0-9]+) ' | tr -s ' ')
    case $(printf '%s\n' "$sections" | grep -c '^ initrd') in
    1) ;;
    *) fail "want one initrd section: $(printf '%s\n' "$sections" | tr '\n' ';')" || return 1 ;;
    esac
    printf '%s\n' "$sections" | grep -q '^ initrd-0 none ' ||
        fail "the initrd is not stored raw: $(printf '%s\n' "$sections" | grep '^ initrd')" ||
        return 1
    note "bundle:$(printf '%s\n' "$sections" | sed 's/ xxh64.*//' | paste -sd ';')"
    guest_script <<'EOS'
echo "KEXE-E2E-MEMINFO $(grep -E '^(MemTotal|MemAvailable):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
run_boot lowmem ./boot.kexe --foreground
EOS
    boot_stage1 lowmem "$E2E_LOWMEM_ARM64_MEM"
    mem=$(serial "$LOG" | sed -n 's/^KEXE-E2E-MEMINFO //p' | head -n1)
    mem=${mem% }
    # auto, not --syscall legacy: the loader's own account of the way it took, and why
    loading=$(serial "$LOG" | grep -m1 '^kexe: loading with ' || true)
    case $loading in
    "kexe: loading with kexec_load, the initrd read where it lies in the bundle (needs ~"*" MiB; memory is too short for the ways before it)"*) ;;
    *) fail "auto did not take kexec_load with the initrd in place: ${loading:-no 'loading with' line} (${mem:-no meminfo}): $(log_hint "$LOG")" ||
        return 1 ;;
    esac
    ! serial "$LOG" | grep -q '^kexe: the running kernel has no kexec_file_load' ||
        fail "the loader tried kexec_file_load first: $loading" || return 1
    note "stage 1 ($E2E_LOWMEM_ARM64_MEM): $mem"
    note "${loading#kexe: }"
    expect_kexec "$LOG" || return 1
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" "$data.files"
}
