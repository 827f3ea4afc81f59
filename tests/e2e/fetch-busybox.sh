#!/bin/bash
# Print the path of a static busybox for $E2E_DEBARCH guests (lib.sh): busybox-static for that
# architecture, fetched with `apt-get download` into the cache and unpacked with dpkg-deb -x,
# never installed. (x86_64 guests use the host's busybox-static.)
set -eu
. "$(dirname "$0")/lib.sh"

dir="$CACHE/e2e/busybox"
mkdir -p "$dir"
pkg="busybox-static:$E2E_DEBARCH"
ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
if [ -z "$ver" ]; then
    b=$(ls "$dir"/*_"$E2E_DEBARCH"/busybox 2>/dev/null | tail -n1 || true)
    [ -n "$b" ] || die "cannot resolve $pkg (dpkg --add-architecture $E2E_DEBARCH; apt-get update)"
    log "apt cannot resolve $pkg; using cached $b"
    printf '%s\n' "$b"
    exit 0
fi
deb_file "$pkg=$ver" "$dir/${ver//:/_}_$E2E_DEBARCH" bin/busybox busybox
