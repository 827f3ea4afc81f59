#!/bin/sh
# Installs what building and testing kexe needs on Debian 12 (run as root, or with sudo).
# Build: gcc, make, musl-gcc, liblz4's headers and static archive; for arm64 bundles the
# aarch64 cross toolchain (below).
# Tests: file, cpio, busybox-static (test initrds) and QEMU (the end-to-end boots); python3
# (checks --json output), man-db and groff-base (man pages render without warnings); ovmf (UEFI
# firmware with a test key in db) and sbsigntool (signs a kernel copy with it) for e2e lockdown;
# qemu-efi-aarch64 (AAVMF, UEFI for QEMU's arm64 virt machine) for e2e arm64:uefi.
# The Debian kernel the tests boot is fetched later with `apt-get download`, never installed.
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# arm64 (aarch64.mk, tests/e2e with E2E_ARCH=arm64): the cross compiler, musl and liblz4 for
# arm64, zlib for the packer, QEMU for arm64 guests and user mode. The arm64 kernel and
# busybox-static:arm64 are fetched later with `apt-get download`, never installed.
dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	build-essential musl-tools liblz4-dev lz4 file cpio busybox-static qemu-system-x86 \
	openssl binutils xz-utils \
	util-linux bsdutils dash curl ca-certificates clang libclang-rt-14-dev llvm \
	python3 man-db groff-base ovmf sbsigntool >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends \
	zlib1g-dev gcc-aarch64-linux-gnu musl-dev:arm64 liblz4-dev:arm64 qemu-system-arm \
	qemu-user-static qemu-efi-aarch64 >/dev/null
# The load matrix (tests/matrix) runs arm64 shell forms, which exec the aarch64 loader they
# unpack: the kernel needs qemu-user-static's binfmt_misc entry for that. systemd-binfmt adds it
# when the package is installed on a booted system; a container or chroot may lack it.
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && [ -r /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		$SUDO mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
	[ ! -w /proc/sys/fs/binfmt_misc/register ] ||
		$SUDO sh -c 'cat /usr/lib/binfmt.d/qemu-aarch64.conf >/proc/sys/fs/binfmt_misc/register' ||
		echo "kexe: could not register qemu-aarch64 with binfmt_misc; the matrix skips arm64 shell forms"
fi
echo "kexe: build and test dependencies installed"
