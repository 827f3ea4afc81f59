# Shared settings and helpers for the kexe QEMU end-to-end harness.
# Sourced (bash) by run.sh, run-scenario.sh, minram.sh and the fetch/build
# helpers. Sets paths from the environment; defines no side effects.

E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E/../.." && pwd)

# Paths given relative to the caller's directory are made absolute once.
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

BUILD=$(abspath "${BUILD:-$ROOT/build}")
KEXE=$(abspath "${KEXE:-$BUILD/kexe}")
CACHE=$(abspath "${KEXE_CACHE:-$BUILD/cache}")
E2E_OUT="$BUILD/e2e"            # per-run work files and logs
LOGS="$E2E_OUT/logs"            # serial logs of failed scenarios are kept here
export BUILD KEXE KEXE_CACHE="$CACHE"

# Guest sizes and limits (override from the environment).
: "${E2E_MEM:=256M}"            # RAM for ordinary scenarios
: "${E2E_LARGE_MIB:=256}"       # size of the incompressible file in 'large'
: "${E2E_LARGE_MEM:=1536M}"     # RAM for 'large' (see minram.sh for the floor)
: "${E2E_LOWMEM_MIB:=384}"      # payload of 'lowmem' (zeros, compresses well)
: "${E2E_LOWMEM_MEM:=192M}"     # RAM for 'lowmem': boots stage 1, can't load
: "${E2E_TIMEOUT:=180}"         # seconds per guest boot (large scales it up)
: "${E2E_ARM64_MEM:=384M}"      # E2E_MEM for arm64 guests
E2E_X86_64_MEM=$E2E_MEM

# set_arch ARCH: the guests' architecture, x86_64 (the default) or arm64 (qemu-system-aarch64
# -M virt under TCG, Debian's arm64 kernel, busybox-static:arm64). Sets E2E_ARCH, the Debian
# architecture, the serial console, the QEMU binary and E2E_MEM; E2E_PACK_KERNEL (what bundles
# pack instead of $KERNEL, see prepare_guests) is cleared.
set_arch() {
    case $1 in
    x86_64) E2E_DEBARCH=amd64 E2E_CONSOLE=ttyS0 E2E_QEMU=qemu-system-x86_64 E2E_MEM=$E2E_X86_64_MEM ;;
    arm64) E2E_DEBARCH=arm64 E2E_CONSOLE=ttyAMA0 E2E_QEMU=qemu-system-aarch64 E2E_MEM=$E2E_ARM64_MEM ;;
    *) die "unknown architecture '$1' (x86_64 or arm64)" ;;
    esac
    E2E_ARCH=$1 E2E_PACK_KERNEL=
    export E2E_ARCH E2E_DEBARCH E2E_CONSOLE E2E_QEMU E2E_MEM E2E_PACK_KERNEL
}
set_arch "${E2E_ARCH:-x86_64}"

log() { printf '%s\n' "e2e: $*" >&2; }
die() { printf '%s\n' "e2e: error: $*" >&2; exit 1; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# Deterministic pseudo-random bytes: SEED BYTES > file.
# (AES-CTR keystream; the same seed always gives the same data.)
prand() {
    openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$1" </dev/zero 2>/dev/null |
        head -c "$2"
}

# Pack directory DIR into a newc cpio archive OUT (root-owned, reproducible).
mkcpio() {
    local dir=$1 out=$2
    (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc --owner=0:0 --reproducible) >"$out.tmp"
    mv "$out.tmp" "$out"
}

# The static busybox for the guests: the host's on x86_64, busybox-static:arm64 fetched into the
# cache for arm64 guests (fetch-busybox.sh).
guest_busybox() {
    if [ "$E2E_ARCH" = x86_64 ]; then command -v busybox; else "$E2E/fetch-busybox.sh"; fi
}

# unpack_deb SPEC DIR: apt-get download SPEC (pkg[:arch]=version) into DIR and unpack it with
# dpkg-deb -x into DIR/x. Nothing is installed on the host.
unpack_deb() {
    (cd "$2" && apt-get download -q -o APT::Sandbox::User=root "$1" >&2)
    dpkg-deb -x "$2"/*.deb "$2/x"
}

# deb_file PKG=VER OUT SRC NAME: print OUT/NAME, a copy of SRC (a path, or a glob matching one
# file, inside package PKG=VER), unpacked into the cache on first use.
deb_file() {
    local spec=$1 out=$2 src=$3 name=$4
    if [ ! -s "$out/$name" ]; then
        log "fetching $spec"
        mkdir -p "$out"
        deb_tmp=$(mktemp -d "$out/../tmp.XXXXXX") # global: the trap may run after we return
        trap 'rm -rf "$deb_tmp"' EXIT
        unpack_deb "$spec" "$deb_tmp"
        cp "$deb_tmp"/x/$src "$out/$name.tmp"
        mv "$out/$name.tmp" "$out/$name"
        rm -rf "$deb_tmp"
        trap - EXIT
    fi
    printf '%s\n' "$out/$name"
}

# bisect_ram LOADER LO HI STEP: the smallest RAM in [LO, HI] MiB, in STEP MiB steps, at which
# `boots LOADER MIB` (the caller's probe) succeeds; HI is probed first, then halving. Prints
# "N MiB (fails at M MiB)", "N MiB or less" or "more than HI MiB" (then returns 1).
bisect_ram() {
    local loader=$1 lo=$2 hi=$3 step=$4 good bad mid
    if ! boots "$loader" "$hi"; then
        echo "more than $hi MiB"
        return 1
    fi
    # Invariant: good boots; bad is known not to (or is below the range).
    good=$hi bad=$((lo - step))
    while [ $((good - bad)) -gt "$step" ]; do
        mid=$(((bad + good) / 2 / step * step))
        [ "$mid" -gt "$bad" ] || mid=$((bad + step))
        if boots "$loader" "$mid"; then good=$mid; else bad=$mid; fi
    done
    if [ "$bad" -ge "$lo" ]; then echo "$good MiB (fails at $bad MiB)"; else echo "$good MiB or less"; fi
}

# Populate DIR/bin with the static busybox and a symlink per applet.
install_busybox() {
    local dir=$1 bb a list
    bb=$(guest_busybox) || die "busybox not found (apt-get install busybox-static)"
    ! readelf -l "$bb" 2>/dev/null | grep -q 'Requesting program interpreter' ||
        die "$bb is dynamically linked (apt-get install busybox-static)"
    # A foreign busybox cannot list its applets here; the host's (the same Debian build) can.
    list=$("$bb" --list 2>/dev/null || busybox --list) || die "cannot list busybox applets"
    mkdir -p "$dir/bin"
    cp "$bb" "$dir/bin/busybox"
    for a in $list; do
        [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
    done
    mkdir -p "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/root"
}

# Key for content-addressed caching: hash of the given files and strings.
cache_key() {
    local x
    for x in "$@"; do
        if [ -f "$x" ]; then sha256 "$x"; else printf '%s\n' "$x"; fi
    done | sha256sum | cut -c1-16
}

# Host tools the harness needs (Debian packages in the message).
check_tools() {
    local t
    for t in "$E2E_QEMU" busybox cpio openssl apt-get dpkg-deb readelf xz gzip flock; do
        command -v "$t" >/dev/null || die "$t not found (apt-get install" \
            "qemu-system-x86 qemu-system-arm busybox-static cpio openssl binutils xz-utils util-linux)"
    done
    [ -x "$KEXE" ] || die "$KEXE not found: build it first (make)"
}

# prepare_guests LOGDIR: export KERNEL, STAGE1, STAGE2 (fetched or built, or
# taken from the cache) and E2E_ACCEL, probed once per run by a short real
# boot unless set already. E2E_ACCEL is empty if no accelerator boots the
# test kernel (the harness self-test failed; logs in LOGDIR).
prepare_guests() {
    KERNEL=$("$E2E/fetch-kernel.sh") || die "cannot fetch the test kernel"
    STAGE1=$("$E2E/mkinitrd.sh" stage1) || die "cannot build the stage-1 initrd"
    STAGE2=$("$E2E/mkinitrd.sh" stage2) || die "cannot build the stage-2 initrd"
    # arm64: QEMU boots the plain Image; bundles pack it gzip'd, as kernels are shipped, so
    # every arm64 scenario also checks that the packer unpacks it right.
    if [ "$E2E_ARCH" = arm64 ]; then
        E2E_PACK_KERNEL="$KERNEL.gz"
        [ -s "$E2E_PACK_KERNEL" ] || { gzip -9n <"$KERNEL" >"$E2E_PACK_KERNEL.tmp" &&
            mv "$E2E_PACK_KERNEL.tmp" "$E2E_PACK_KERNEL"; } || die "cannot gzip $KERNEL"
    fi
    export KERNEL STAGE1 STAGE2 E2E_PACK_KERNEL
    log "$E2E_ARCH kernel $KERNEL${E2E_PACK_KERNEL:+ (bundles pack $E2E_PACK_KERNEL)}"
    if [ "$E2E_ARCH" != x86_64 ]; then   # no KVM for a foreign guest: TCG, still self-tested
        E2E_ACCEL=$(E2E_ACCEL= "$E2E/probe-accel.sh" "$KERNEL" "$STAGE2" "$1") || E2E_ACCEL=
    elif [ -z "${E2E_ACCEL:-}" ]; then
        E2E_ACCEL=$("$E2E/probe-accel.sh" "$KERNEL" "$STAGE2" "$1") || E2E_ACCEL=
    fi
    export E2E_ACCEL
    log "accelerator ${E2E_ACCEL:-none (self-test failed)}"
}

# uefi_pflash CODE VARS COPY: sets the array PFLASH to the QEMU arguments for UEFI firmware on
# pflash: the firmware image CODE read-only, and COPY, a fresh copy of the variable store VARS
# (the firmware writes to it, so every boot gets its own).
uefi_pflash() {
    cp "$2" "$3" || return 1
    PFLASH=(-drive "if=pflash,format=raw,readonly=on,file=$1" -drive "if=pflash,format=raw,file=$3")
}

# snakeoil_pflash COPY: uefi_pflash for OVMF with the variables of Debian's snakeoil template
# (its certificate in db) and secure boot switched off in COPY (ovmf_secure_boot_off).
: "${E2E_OVMF_CODE:=/usr/share/OVMF/OVMF_CODE_4M.fd}"
: "${E2E_OVMF_VARS:=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd}"
snakeoil_pflash() {
    uefi_pflash "$E2E_OVMF_CODE" "$E2E_OVMF_VARS" "$1" && ovmf_secure_boot_off "$1"
}

# ovmf_secure_boot_off VARS: clear the data byte of the (unauthenticated, one-byte)
# SecureBootEnable variable in the OVMF variable store VARS (a copy of Debian's snakeoil
# template), so that lockdown comes only from the command line; PK, KEK and db stay enrolled.
# Returns 1 with a message on stderr when VARS does not hold exactly one such variable set to 1.
ovmf_secure_boot_off() {
    local vars=$1 at name='S\x00e\x00c\x00u\x00r\x00e\x00B\x00o\x00o\x00t\x00E\x00n\x00a\x00b\x00l\x00e\x00\x00\x00'
    set -- $(LC_ALL=C grep -obUaP "$name" "$vars" | cut -d: -f1)
    [ $# = 1 ] || { echo "SecureBootEnable found $# times in $vars (want 1)" >&2; return 1; }
    at=$(($1 + 34))   # the UTF-16 name "SecureBootEnable" and its NUL; the data byte follows
    [ "$(od -An -tx1 -j "$at" -N1 "$vars" | tr -d ' ')" = 01 ] ||
        { echo "SecureBootEnable in $vars is not 1" >&2; return 1; }
    printf '\0' | dd of="$vars" bs=1 seek="$at" conv=notrunc status=none
}
