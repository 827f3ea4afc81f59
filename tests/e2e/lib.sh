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

# Populate DIR/bin with the static busybox and a symlink per applet.
install_busybox() {
    local dir=$1 bb a
    bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
    ! readelf -l "$bb" 2>/dev/null | grep -q 'Requesting program interpreter' ||
        die "$bb is dynamically linked (apt-get install busybox-static)"
    mkdir -p "$dir/bin"
    cp "$bb" "$dir/bin/busybox"
    for a in $("$bb" --list); do
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
    for t in qemu-system-x86_64 busybox cpio openssl apt-get dpkg-deb readelf xz gzip; do
        command -v "$t" >/dev/null || die "$t not found (apt-get install" \
            "qemu-system-x86 busybox-static cpio openssl binutils xz-utils)"
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
    export KERNEL STAGE1 STAGE2
    log "kernel $KERNEL"
    if [ -z "${E2E_ACCEL:-}" ]; then
        E2E_ACCEL=$("$E2E/probe-accel.sh" "$KERNEL" "$STAGE2" "$1") || E2E_ACCEL=
    fi
    export E2E_ACCEL
    log "accelerator ${E2E_ACCEL:-none (self-test failed)}"
}
