# broken: in ONE stage-1 boot, four damaged bundles must each be refused
# with exit code 3 and a one-line "kexe: " message, and stage 1 must go on
# (ALIVE marker) afterwards:
#   truncated  the bundle cut off in the middle of its payload   ("truncated")
#   flipped    one byte flipped inside the initrd data           ("checksum")
#   cmdflip    one byte flipped in the command line, which is stored without
#              compression: only the section checksum can catch it ("checksum")
#   arm64      an arm64 Image packed with --unchecked-kernel     ("arm64")
# A stub that skipped any of these checks would kexec away (or fail
# differently) and this scenario fails.

# flip_byte FILE OFFSET: XOR the byte at OFFSET with 1, in place.
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# offset_of FILE STRING: byte offset of STRING, which must occur exactly once.
offset_of() {
    local hits
    hits=$(grep -obUaF "$2" "$1" | cut -d: -f1)
    [ "$(printf '%s\n' "$hits" | grep -c .)" = 1 ] ||
        fail "'$2' occurs $(printf '%s\n' "$hits" | grep -c .) times in $(basename "$1"), want once" ||
        return 1
    printf '%s\n' "$hits"
}

scenario_run() {
    local cmdline target size off
    cmdline=$(s2_cmdline broken)
    target=$(initrd fliptarget flip.bin)
    pack "$W/good.kexe" --initrd "$STAGE2" --initrd "$target" --cmdline "$cmdline"
    size=$(stat -c %s "$W/good.kexe")

    # truncated: keep the first two thirds (the stub and part of the payload).
    head -c $((size * 2 / 3)) "$W/good.kexe" >"$GUEST/truncated.kexe"

    # flipped: flip.bin is random data around a sentinel string; the packer
    # stores it raw (or as LZ4 literals), so the sentinel can be found in the
    # bundle. Flip one byte in its middle.
    off=$(offset_of "$W/good.kexe" KEXE-E2E-FLIP-TARGET-)
    cp "$W/good.kexe" "$GUEST/flipped.kexe"
    flip_byte "$GUEST/flipped.kexe" $((off + 30))
    ! cmp -s "$W/good.kexe" "$GUEST/flipped.kexe" || fail "byte flip did not change the bundle"
    if [ -n "${E2E_SABOTAGE_FLIP:-}" ]; then   # self-test of this scenario:
        cp "$W/good.kexe" "$GUEST/flipped.kexe" # an undamaged bundle must FAIL it
    fi

    # cmdflip: a bundle whose command line holds a unique token; flip a byte
    # of it (a stub without section checksums would boot it).
    pack "$W/cmd.kexe" --initrd "$STAGE2" --cmdline "$cmdline kexe.e2e.token=KEXE-E2E-CMDLINE-FLIP"
    off=$(offset_of "$W/cmd.kexe" KEXE-E2E-CMDLINE-FLIP)
    cp "$W/cmd.kexe" "$GUEST/cmdflip.kexe"
    flip_byte "$GUEST/cmdflip.kexe" $((off + 9))

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
run_refused cmdflip ./cmdflip.kexe
run_refused arm64 ./arm64.kexe
alive broken
EOS
    boot_stage1 broken "$E2E_MEM"
    expect_refused "$LOG" truncated 3 truncated
    expect_refused "$LOG" flipped 3 checksum
    expect_refused "$LOG" cmdflip 3 checksum
    expect_refused "$LOG" arm64 3 arm64
    expect_alive "$LOG" broken
}
