#!/bin/sh
# Installs what building and testing kexe needs on Debian 12 (run as root, or with sudo).
# Build: gcc, make, musl-gcc, liblz4's headers and static archive.
# Tests: file, cpio, busybox-static (test initrds) and QEMU (the end-to-end boots).
# The Debian kernel the tests boot is fetched later with `apt-get download`, never installed.
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	build-essential musl-tools liblz4-dev lz4 file cpio busybox-static qemu-system-x86 \
	openssl binutils xz-utils \
	util-linux ca-certificates clang libclang-rt-14-dev llvm >/dev/null
echo "kexe: build and test dependencies installed"
