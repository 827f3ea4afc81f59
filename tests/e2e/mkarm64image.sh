#!/bin/bash
# Write a synthetic arm64 kernel Image of SIZE bytes to OUT: the 64-byte
# header of the kernel's Documentation/arch/arm64/booting.rst (code0 a
# branch past the header, text_offset 0, image_size, flags 0xa = LE, 4K
# pages, anywhere; magic "ARM\x64" at offset 56) followed by zeros. Enough
# for a loader to tell what it is; it would not boot.
#
#   mkarm64image.sh OUT SIZE
set -eu
out=$1 size=$2
le64() {   # little-endian 8-byte encoding of $1 as printf escapes
    local v=$1 i s=
    for i in 0 1 2 3 4 5 6 7; do s="$s\\$(printf '%03o' $(((v >> (8 * i)) & 255)))"; done
    printf '%s' "$s"
}
{
    printf '\020\000\000\024'       # code0: b #0x40 (0x14000010)
    printf '\000\000\000\000'       # code1
    printf "$(le64 0)"              # text_offset
    printf "$(le64 "$size")"        # image_size
    printf "$(le64 10)"             # flags
    printf "$(le64 0)$(le64 0)$(le64 0)"  # res2..res4
    printf 'ARM\144'                # magic 0x644d5241 ("ARM\x64")
    printf '\000\000\000\000'       # res5 (PE header offset: none)
    head -c $((size - 64)) /dev/zero
} >"$out"
[ "$(stat -c %s "$out")" = "$size" ]
