#!/bin/bash
# Build (or reuse from the cache) the ext4 initrd and print its path: busybox, guest/ext4-init
# as /init, and the modules that mount a virtio disk's ext4 file system, taken from the package
# of the kernel fetch-kernel.sh prints (Debian builds virtio_blk and ext4 as modules). The
# debian-direct scenario boots its Debian image with it and packs it into the bundle, whose
# second kernel checks that image's superblock with it (guest/ext4-init says how).
set -eu
. "$(dirname "$0")/lib.sh"

# In load order: the virtio disk, then ext4 and what it needs.
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk
crc16 mbcache jbd2 crc32c_generic ext4"

kernel=$("$E2E/fetch-kernel.sh")
kdir=$(basename "$(dirname "$kernel")")          # linux-image-X_VER
dir="$CACHE/e2e/initrd"
mkdir -p "$dir"
bb=$(guest_busybox)
key=$(cache_key "$0" "$E2E/lib.sh" "$bb" "$E2E/guest/ext4-init" "$kdir")
out="$dir/ext4-$key.cpio"
if [ -s "$out" ]; then
    printf '%s\n' "$out"
    exit 0
fi
tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"
install_busybox "$root"
install -m 755 "$E2E/guest/ext4-init" "$root/init"
mkdir -p "$root/lib/modules"
unpack_deb "${kdir%%_*}=${kdir#*_}" "$tmp"
for m in $MODULES; do
    find "$tmp/x/lib/modules" -name "$m.ko" -exec cp {} "$root/lib/modules/" \;
    [ -s "$root/lib/modules/$m.ko" ] || die "no $m.ko in $kdir"
    echo "$m" >>"$root/lib/modules/order"
done
mkcpio "$root" "$tmp/cpio"
mv "$tmp/cpio" "$out"
printf '%s\n' "$out"
