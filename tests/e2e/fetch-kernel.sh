#!/bin/bash
# Print the path of a Debian amd64 kernel (vmlinuz) for the guests.
# The package is resolved from the linux-image-amd64 metapackage, fetched
# with `apt-get download` into the cache and unpacked with dpkg-deb -x.
# Nothing is installed on the host.
set -eu
. "$(dirname "$0")/lib.sh"

dir="$CACHE/e2e/kernel"
mkdir -p "$dir"

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
    # No package lists (apt-get update not run, or offline): reuse a cached kernel.
    k=$(ls "$dir"/*/vmlinuz 2>/dev/null | tail -n1 || true)
    [ -n "$k" ] || die "cannot resolve linux-image-amd64 (run apt-get update)"
    log "apt cannot resolve linux-image-amd64; using cached $k"
    printf '%s\n' "$k"
    exit 0
fi
ver=$(apt-cache show --no-all-versions "$pkg" | awk '/^Version:/ { print $2; exit }')
out="$dir/${pkg}_$ver"
if [ ! -s "$out/vmlinuz" ]; then
    log "fetching $pkg $ver"
    tmp=$(mktemp -d "$dir/tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >&2)
    dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    mkdir -p "$out"
    cp "$tmp"/x/boot/vmlinuz-* "$out/vmlinuz.tmp"
    mv "$out/vmlinuz.tmp" "$out/vmlinuz"
fi
printf '%s\n' "$out/vmlinuz"
