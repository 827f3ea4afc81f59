# foreign-kernel: a bundle for this architecture holding a real kernel of the
# other one (Debian's amd64 kernel in an arm64 bundle, or arm64's in an x86_64
# one), which only --unchecked-kernel lets the packer write (without it the
# packer must refuse with exit 2). In the guest the loader must refuse it with
# exit 3 and a "kexe: " message naming the kernel's architecture, load nothing,
# and stage 1 must go on (ALIVE). A dry run of a good bundle in the same boot
# must pass, so the refusal is about the kernel, not the loader.
scenario_run() {
    local cmdline other foreign rc
    cmdline=$(s2_cmdline foreign-kernel)
    case $E2E_ARCH in x86_64) other=arm64 ;; *) other=x86_64 ;; esac
    foreign=$(E2E_ARCH=$other "$E2E/fetch-kernel.sh") || fail "cannot fetch the $other kernel" || return 1
    rc=0
    "$KEXE" pack --kernel "$foreign" --arch "$E2E_ARCH" --initrd "$STAGE2" --cmdline "$cmdline" \
        -o "$W/refused.kexe" >"$W/pack.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] && grep -q "^kexe: --arch $E2E_ARCH, but .* is an $other" "$W/pack.out" ||
        fail "the packer did not refuse a $other kernel for $E2E_ARCH (exit $rc): $(tail -n1 "$W/pack.out")" ||
        return 1
    "$KEXE" pack --kernel "$foreign" --unchecked-kernel --arch "$E2E_ARCH" --initrd "$STAGE2" \
        --cmdline "$cmdline" -o "$GUEST/foreign.kexe" >"$W/pack.out" 2>&1 ||
        fail "kexe pack --unchecked-kernel failed: $(tail -n1 "$W/pack.out")" || return 1
    pack "$GUEST/good.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    guest_script <<'EOS'
run_refused foreign ./foreign.kexe --foreground
run_refused dry-run ./good.kexe --dry-run
alive foreign-kernel
EOS
    boot_stage1 foreign-kernel "$E2E_MEM"
    expect_refused "$LOG" foreign 3 "the kernel is an $other" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-RESULT dry-run rc=0$' ||
        fail "the dry run of a good bundle failed: $(log_hint "$LOG")" || return 1
    expect_alive "$LOG" foreign-kernel
}
