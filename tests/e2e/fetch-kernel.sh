#!/bin/bash
# Print the path of a Debian kernel for the guests of $E2E_ARCH (lib.sh): vmlinuz on amd64;
# on arm64 the plain Image QEMU's -kernel boots (vmlinuz gunzipped when Debian ships it gzip'd,
# as older releases did; bookworm's is the Image already).
# The package is resolved from the linux-image-$E2E_DEBARCH metapackage, fetched with
# `apt-get download` into the cache and unpacked with dpkg-deb -x. Nothing is installed on the
# host.
set -eu
. "$(dirname "$0")/lib.sh"

dir="$CACHE/e2e/kernel"
mkdir -p "$dir"
case $E2E_DEBARCH in
amd64) file=vmlinuz ;;
*) file=Image ;;
esac

meta="linux-image-$E2E_DEBARCH:$E2E_DEBARCH"
pkg=$(apt-cache depends "$meta" 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }')
if [ -z "$pkg" ]; then
    # No package lists (apt-get update not run, or offline): reuse a cached kernel.
    k=$(ls "$dir"/*_"$E2E_DEBARCH"*/"$file" "$dir"/*-"$E2E_DEBARCH"_*/"$file" 2>/dev/null |
        tail -n1 || true)
    [ -n "$k" ] || die "cannot resolve $meta (run apt-get update$(
        [ "$E2E_DEBARCH" = amd64 ] || echo "; dpkg --add-architecture $E2E_DEBARCH first"))"
    log "apt cannot resolve $meta; using cached $k"
    printf '%s\n' "$k"
    exit 0
fi
ver=$(apt-cache show --no-all-versions "$pkg:$E2E_DEBARCH" | awk '/^Version:/ { print $2; exit }')
out=$(deb_file "$pkg:$E2E_DEBARCH=$ver" "$dir/${pkg}_$ver" 'boot/vmlinuz-*' vmlinuz)
out=${out%/vmlinuz}
if [ "$file" = Image ] && [ ! -s "$out/Image" ]; then
    if gzip -t "$out/vmlinuz" 2>/dev/null; then
        gzip -dc "$out/vmlinuz" >"$out/Image.tmp"
    else
        cp "$out/vmlinuz" "$out/Image.tmp"
    fi
    mv "$out/Image.tmp" "$out/Image"
fi
printf '%s\n' "$out/$file"
