#!/bin/bash
# Build (or reuse from the cache) one test initrd and print its path.
# Each archive is a plain newc cpio; beside it, ARCHIVE.files lists the
# marker lines ("KEXE-E2E-FILE /e2e/NAME SHA256") that stage 2 prints for
# the files under /e2e/ that the archive holds.
#
#   mkinitrd.sh stage1              busybox + stage-1 init + guest helpers
#   mkinitrd.sh stage2              busybox + stage-2 init + /e2e/stage2.bin
#   mkinitrd.sh text NAME           /e2e/NAME: one line naming the archive
#   mkinitrd.sh random NAME MIB     /e2e/NAME: MIB MiB of incompressible data
#   mkinitrd.sh zeros NAME MIB      /e2e/NAME: MIB MiB of zeros
#   mkinitrd.sh fliptarget NAME     /e2e/NAME: random data around a sentinel
#                                   string (where 'broken' flips a byte)
set -eu
. "$(dirname "$0")/lib.sh"

kind=$1; shift
name=${1:-}; mib=${2:-0}
dir="$CACHE/e2e/initrd"
mkdir -p "$dir"

bb=$(guest_busybox || true)   # per $E2E_ARCH (lib.sh)
case $kind in   # what the archive is made of, besides these scripts
stage1) inputs="$bb $E2E/guest/stage1-init $E2E/guest/guest-lib.sh" ;;
stage2) inputs="$bb $E2E/guest/stage2-init" ;;
*) inputs= ;;
esac
key=$(cache_key "$0" "$E2E/lib.sh" $inputs "$kind" "$name" "$mib")
out="$dir/$kind${name:+-$name}-$key.cpio"
if [ -s "$out" ] && [ -f "$out.files" ]; then
    printf '%s\n' "$out"
    exit 0
fi

tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"
mkdir -p "$root/e2e"
case $kind in
stage1)
    install_busybox "$root"
    install -m 755 "$E2E/guest/stage1-init" "$root/init"
    install -m 644 "$E2E/guest/guest-lib.sh" "$root/e2e/guest-lib.sh"
    ;;
stage2)
    install_busybox "$root"
    install -m 755 "$E2E/guest/stage2-init" "$root/init"
    prand stage2 65536 >"$root/e2e/stage2.bin"
    ;;
text)
    printf '%s %s\n' "$name" "$(prand "$name" 16 | od -An -tx1 | tr -d ' \n')" \
        >"$root/e2e/$name"
    ;;
random)
    prand "$name" $((mib * 1024 * 1024)) >"$root/e2e/$name"
    ;;
zeros)
    head -c $((mib * 1024 * 1024)) /dev/zero >"$root/e2e/$name"
    ;;
fliptarget)
    {
        prand "$name-a" 262144
        printf 'KEXE-E2E-FLIP-TARGET-%s' "$(prand "$name" 32 | od -An -tx1 | tr -d ' \n')"
        prand "$name-b" 262144
    } >"$root/e2e/$name"
    ;;
*) die "mkinitrd.sh: unknown kind '$kind'" ;;
esac

if [ "$kind" = stage1 ]; then
    : >"$tmp/files"   # stage 1 is never the one that prints the marker
else
    (cd "$root" && find e2e -type f | LC_ALL=C sort | while read -r f; do
        printf 'KEXE-E2E-FILE /%s %s\n' "$f" "$(sha256 "$f")"
    done) >"$tmp/files"
fi
mkcpio "$root" "$tmp/cpio"
mv "$tmp/files" "$out.files"
mv "$tmp/cpio" "$out"
printf '%s\n' "$out"
