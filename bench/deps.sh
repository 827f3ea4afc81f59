#!/bin/sh
# bench/deps.sh: installs what `make bench` needs when something is missing (as root; otherwise
# says what to install): the build and test dependencies (scripts/install-deps.sh: musl-gcc,
# liblz4, QEMU, busybox-static, ...) and the baselines' tools (zstd, lz4, bc). BENCH_QEMU=0:
# not the tools of the QEMU part.
set -eu
cd "$(dirname "$0")/.."
tools="musl-gcc gzip zstd lz4 tar bc cpio"
[ "${BENCH_QEMU:-1}" = 0 ] || tools="$tools qemu-system-x86_64 busybox openssl xz flock dpkg-deb"
missing=
for t in $tools; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -f /usr/include/lz4.h ] || missing="$missing lz4.h"
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bench: missing$missing: run scripts/install-deps.sh and apt-get install zstd bc" >&2
	exit 1
fi
echo "bench: installing what provides$missing" >&2
scripts/install-deps.sh >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zstd bc >/dev/null
