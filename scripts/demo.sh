#!/usr/bin/env bash
# `make demo`: pack a demo bundle from Debian's kernel (fetched with apt-get download, never
# installed) and a busybox initrd, then boot it for real inside QEMU: a first guest runs the
# bundle, which kexecs into the packed kernel; the second kernel prints its command line and
# the checksums of its initrd's files. Nothing here touches the machine it runs on.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. tests/e2e/lib.sh
check_tools
kernel=$(tests/e2e/fetch-kernel.sh)
initrd=$(tests/e2e/mkinitrd.sh stage2)
mkdir -p "$BUILD/demo"
"$KEXE" pack --kernel "$kernel" --initrd "$initrd" --name demo \
	--cmdline "console=ttyS0 panic=-1 kexe.demo=1" -o "$BUILD/demo/boot.kexe"
file "$BUILD/demo/boot.kexe"
"$KEXE" info "$BUILD/demo/boot.kexe"
echo
echo "Booting $BUILD/demo/boot.kexe inside QEMU (the 'plain' end-to-end scenario)..."
tests/e2e/run.sh plain
