#!/bin/bash
# Print the path of systemd-stub (linuxx64.efi.stub, or linuxaa64.efi.stub for arm64 guests),
# the EFI program a Unified Kernel Image is built on. Taken from Debian's systemd-boot-efi
# package, fetched with `apt-get download` into the cache and unpacked with dpkg-deb -x;
# nothing is installed on the host.
set -eu
. "$(dirname "$0")/lib.sh"

debarch=${E2E_DEBARCH:-amd64}
case $debarch in
amd64) file=linuxx64.efi.stub ;;
arm64) file=linuxaa64.efi.stub ;;
*) die "no systemd-stub for $debarch" ;;
esac
dir="$CACHE/e2e/efi-stub"
mkdir -p "$dir"

ver=$(apt-cache show --no-all-versions "systemd-boot-efi:$debarch" 2>/dev/null |
    awk '/^Version:/ { print $2; exit }')
if [ -z "$ver" ]; then
    # No package lists (apt-get update not run, or offline): reuse a cached stub.
    s=$(ls "$dir"/*_"$debarch"/"$file" 2>/dev/null | tail -n1 || true)
    [ -n "$s" ] || die "cannot resolve systemd-boot-efi:$debarch (run apt-get update)"
    printf '%s\n' "$s"
    exit 0
fi
deb_file "systemd-boot-efi:$debarch=$ver" "$dir/${ver}_$debarch" \
    "usr/lib/systemd/boot/efi/$file" "$file"
