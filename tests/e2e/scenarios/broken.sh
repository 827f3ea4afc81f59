# broken: in ONE stage-1 boot, three damaged bundles must each be refused
# with exit code 3 and a one-line "kexe: " message, and stage 1 must go on
# (ALIVE marker) afterwards:
#   truncated  the bundle cut off in the middle of its payload   ("truncated")
#   flipped    one byte flipped inside the initrd data           ("checksum")
#   arm64      an arm64 Image packed with --unchecked-kernel     ("arm64")
# A stub that skipped any of these checks would kexec away (or fail
# differently) and this scenario fails.
scenario_run() {
    local cmdline target size off b
    cmdline=$(s2_cmdline broken)
    target=$(initrd fliptarget flip.bin)
    pack "$W/good.kexe" --initrd "$STAGE2" --initrd "$target" --cmdline "$cmdline"
    size=$(stat -c %s "$W/good.kexe")

    # truncated: keep the first two thirds (the stub and part of the payload).
    head -c $((size * 2 / 3)) "$W/good.kexe" >"$GUEST/truncated.kexe"

    # flipped: the sentinel string in flip.bin is stored as LZ4 literals, so
    # it can be found in the bundle; flip one byte in its middle.
    off=$(grep -obUa 'KEXE-E2E-FLIP-TARGET-' "$W/good.kexe" | head -n1 | cut -d: -f1)
    [ -n "$off" ] || fail "flip target not found in the bundle (payload not LZ4 literals?)"
    off=$((off + 30))
    cp "$W/good.kexe" "$GUEST/flipped.kexe"
    b=$(od -An -tu1 -j "$off" -N1 "$W/good.kexe" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" |
        dd of="$GUEST/flipped.kexe" bs=1 seek="$off" conv=notrunc status=none
    ! cmp -s "$W/good.kexe" "$GUEST/flipped.kexe" || fail "byte flip did not change the bundle"
    if [ -n "${E2E_SABOTAGE_FLIP:-}" ]; then   # self-test of this scenario:
        cp "$W/good.kexe" "$GUEST/flipped.kexe" # an undamaged bundle must FAIL it
    fi

    # arm64: a synthetic arm64 Image (header per Documentation/arch/arm64/
    # booting.rst: magic "ARM\x64" at offset 56), 1 MiB long.
    "$E2E/mkarm64image.sh" "$W/Image-arm64" 1048576
    "$KEXE" pack --kernel "$W/Image-arm64" --unchecked-kernel --initrd "$STAGE2" \
        --cmdline "$cmdline" -o "$GUEST/arm64.kexe" >"$W/pack.out" 2>&1 ||
        fail "kexe pack --unchecked-kernel failed: $(tail -n1 "$W/pack.out")"
    chmod +x "$GUEST"/*.kexe

    guest_script <<'EOS'
run_refused truncated ./truncated.kexe
run_refused flipped ./flipped.kexe
run_refused arm64 ./arm64.kexe
alive broken
EOS
    boot_stage1 broken "$E2E_MEM"
    expect_refused "$LOG" truncated 3 truncated
    expect_refused "$LOG" flipped 3 checksum
    expect_refused "$LOG" arm64 3 arm64
    expect_alive "$LOG" broken
}
