#!/bin/bash
# Not part of CI: the measurements of docs/PERFORMANCE.md (issues 8 and 12).
# Boots the 'large' payload (kernel + stage-2 initrd + a MIB MiB incompressible
# file) from stage 1 with one of several loaders, at a given guest RAM, and
# records whether stage 2 proved the exact cmdline and checksums, plus
# host-side timestamps of every serial line (for end-to-end times).
#
#   minram-paths.sh [OPTIONS] boot LOADER MIB          one probe
#   minram-paths.sh [OPTIONS] bisect LOADER LO HI      smallest RAM in [LO,HI]
#                                                      (32 MiB steps; HI is probed first)
# LOADER:
#   kexe[:ARG,ARG...]  the bundle, e.g. kexe:--consume,--syscall,legacy
#                      (always with --foreground: no detach delay; memory is the same)
#   kexe-sh[:ARG,...]  the shell form, streamed: cat boot.sh | sh -s -- --foreground ARGS
#                      (only the loader is written, to the rootfs; the payload comes
#                      through the pipe)
#   kexec-tools        kexec -s -l /e2e/vmlinuz --initrd=/e2e/large.cpio ... && kexec -e
#   tarball            tar xzf /e2e/payload.tar.gz -C /tmp (kernel + initrd), then
#                      kexec -s -l from /tmp as above; the .tar.gz stays (as downloaded)
# OPTIONS:
#   --size MIB         incompressible file size (default $E2E_LARGE_MIB, 256)
#   --firmware bios|ovmf|ovmf-snakeoil   SeaBIOS (default), /usr/share/ovmf/OVMF.fd, or
#                      OVMF (pflash) with Debian's snakeoil key in db and secure boot off;
#                      the payload's kernel is then Debian's re-signed with that key
#                      (sign-kernel.sh), so kexec_file_load accepts it under lockdown
#                      (add --s1-append lockdown=integrity)
#   --s1-append STR    added to the stage-1 kernel command line (e.g. lockdown=integrity)
#   --timeout S        per boot (default 300)
#   --s2-append STR    added to the payload's (stage 2's) command line, for every loader
#                      (e.g. rootfstype=ramfs: see docs/PERFORMANCE.md)
#   --via ext4|disk|initramfs   how the payload reaches stage 1 (default disk):
#                      ext4 = the files lie on a writable ext4 virtio disk (snapshot=on, so
#                      the image is not changed) mounted at /mnt, and the loaders run there:
#                      a host that got the bundle by scp onto its disk; the tarball flow
#                      unpacks to /mnt/x (disk) too. disk = a
#                      virtio disk holding a plain tar of the payload files, which stage 1
#                      copies to /e2e (tmpfs) before the run, as if downloaded there, then
#                      drops the page cache. Both need virtio_blk & co. (and ext4) from the
#                      kernel's package (apt-get download, cached). initramfs = the files are in
#                      the stage-1 initrd itself, which the kernel holds twice while it
#                      unpacks it into a tmpfs capped at half of RAM (a floor of about
#                      3 x payload + 75 MiB that is the harness's, not the loader's).
#
# Stage 1 mounts securityfs (so lockdown is visible, as on a real host) and runs
# `./boot.kexe --check` before the timed run (bundle loaders). Results are
# appended to $BUILD/e2e/minram-paths/results.txt, one line per probe:
#   size via fw loader mib PASS|FAIL secs t_load t_k2 t_s2 reason
# t_load: T0 (stage 1, just before the loader starts) to stage 1's "Starting new kernel"
# line; t_k2: T0 to the new kernel's first console line ("Linux version"); t_s2: T0 to
# KEXE-E2E-STAGE2-BEGIN. All from host wall-clock stamps of serial lines ($EPOCHREALTIME).
set -eu
. "$(dirname "$0")/lib.sh"
. "$E2E/check.sh"

size=$E2E_LARGE_MIB fw=bios s1extra= s2extra= timeout=300 step=32 via=disk
while [ $# -gt 0 ]; do
    case $1 in
    --size) size=$2; shift 2 ;;
    --firmware) fw=$2; shift 2 ;;
    --s1-append) s1extra=$2; shift 2 ;;
    --s2-append) s2extra=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --via) via=$2; shift 2
        case $via in ext4 | disk | initramfs) ;; *) die "--via ext4|disk|initramfs" ;; esac ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || die "usage: minram-paths.sh [OPTIONS] boot LOADER MIB | bisect LOADER LO HI"
cmd=$1 loader=$2; shift 2
case $fw in
bios) fwargs=() ;;
ovmf) fwargs=(-bios /usr/share/ovmf/OVMF.fd) ;;
ovmf-snakeoil) fwargs=() ;; # per probe: its own copy of the variables
*) die "--firmware bios|ovmf|ovmf-snakeoil" ;;
esac
export E2E_ACCEL=${E2E_ACCEL:-tcg}
out="$E2E_OUT/minram-paths"
mkdir -p "$out"
KERNEL=$("$E2E/fetch-kernel.sh") || die "cannot fetch the test kernel"
PKERNEL=$KERNEL # the payload's kernel
[ "$fw" != ovmf-snakeoil ] || PKERNEL=$("$E2E/sign-kernel.sh" "$KERNEL") || die "cannot sign the kernel"
STAGE1=$("$E2E/mkinitrd.sh" stage1) || die "stage-1 initrd"
STAGE2=$("$E2E/mkinitrd.sh" stage2) || die "stage-2 initrd"
big=$("$E2E/mkinitrd.sh" random large.bin "$size") || die "large initrd"
cmdline="console=ttyS0 panic=-1 kexe.e2e=large${s2extra:+ $s2extra}"
s2tag=; [ -z "$s2extra" ] || s2tag=" {$s2extra}"   # in result lines

# The modules stage 1 loads, in order: the virtio disk, then ext4 and what it needs.
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk
crc16 mbcache jbd2 crc32c_generic ext4"

# virtio_modules: directory with $MODULES from $KERNEL's package.
virtio_modules() {
    local kdir pkg ver d tmp m
    kdir=$(basename "$(dirname "$KERNEL")")          # linux-image-X_VER
    pkg=${kdir%%_*} ver=${kdir#*_}
    d="$CACHE/e2e/modules/$kdir"
    exec 7>"$out/.modules.lock"; flock 7
    if [ -s "$d/ext4.ko" ]; then printf '%s\n' "$d"; return; fi
    rm -rf "$d"
    tmp=$(mktemp -d "$out/deb.XXXXXX")
    unpack_deb "$pkg=$ver" "$tmp"
    mkdir -p "$d.tmp"
    for m in $MODULES; do
        find "$tmp/x/lib/modules" -name "$m.ko" -exec cp {} "$d.tmp/" \;
        [ -s "$d.tmp/$m.ko" ] || die "no $m.ko in $pkg=$ver"
    done
    rm -rf "$tmp"; mv "$d.tmp" "$d"
    printf '%s\n' "$d"
}

# guest_cpio KIND: the stage-1 initrd for a loader kind (cached per kind, size, kexe).
guest_cpio() {
    local kind=$1 key c R
    key=$(cache_key "$KEXE" "$PKERNEL" "$big" "$STAGE1" "$STAGE2" "$kind" "$via" "$cmdline" v6)
    c="$out/stage1-$kind-$size-$via${s2extra:+-s2}-$key.cpio"
    exec 8>"$c.lock"; flock 8          # parallel probes build each archive once
    if [ -s "$c" ]; then exec 8>&-; printf '%s\n' "$c"; return; fi
    R=$(mktemp -d "$out/root.XXXXXX")
    mkdir -p "$R/e2e"
    # The payload files go to P: /e2e of the initrd, or the disk's tar.
    P="$R/e2e"; [ "$via" = initramfs ] || { P="$R.disk"; mkdir -p "$P"; }
    case $kind in
    kexe | kexe-sh)
        cat "$STAGE2" "$big" >"$R/large.cpio"
        if [ "$kind" = kexe ]; then
            "$KEXE" pack --kernel "$PKERNEL" --initrd "$R/large.cpio" --cmdline "$cmdline" \
                -o "$P/boot.kexe" >&2
        else
            "$KEXE" pack --format sh --kernel "$PKERNEL" --initrd "$R/large.cpio" \
                --cmdline "$cmdline" -o "$P/boot.sh" >&2
        fi
        rm -f "$R/large.cpio"
        ;;
    kexec-tools | tarball)
        cp -a "$("$E2E/fetch-kexec-tools.sh")/." "$R/"
        cp "$PKERNEL" "$P/vmlinuz"
        cat "$STAGE2" "$big" >"$P/large.cpio"
        if [ "$kind" = tarball ]; then
            tar -C "$P" -czf "$P/payload.tar.gz.tmp" vmlinuz large.cpio
            rm -f "$P/vmlinuz" "$P/large.cpio"; mv "$P/payload.tar.gz.tmp" "$P/payload.tar.gz"
        fi
        ;;
    esac
    # One script for every probe; the loader's arguments come from stage 1's cmdline.
    D=/e2e X=/tmp      # where the payload files are, where the tarball flow unpacks
    if [ "$via" != initramfs ]; then
        mkdir -p "$R/lib/modules"
        cp "$(virtio_modules)"/*.ko "$R/lib/modules/"
        cat >"$R/e2e/scenario.sh" <<EOS
for m in $(echo $MODULES); do
    insmod /lib/modules/\$m.ko || echo "KEXE-E2E-INSMOD-FAILED \$m"
done
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
EOS
    fi
    case $via in
    disk)
        tar -C "$P" -cf "$c.disk.tmp" . && rm -rf "$P" && mv "$c.disk.tmp" "$c.disk"
        cat >>"$R/e2e/scenario.sh" <<'EOS'
tar -C /e2e -xf /dev/vda && echo "KEXE-E2E-COPIED $(ls /e2e | tr '\n' ' ')"
sync; echo 3 >/proc/sys/vm/drop_caches
EOS
        ;;
    ext4)
        D=/mnt X=/mnt/x
        # room for the tarball flow to unpack next to its archive
        mkfs.ext4 -q -F -L kexe -d "$P" "$c.disk.tmp" "$(($(du -sm "$P" | cut -f1) * 5 / 2 + 64))M" >&2 &&
            rm -rf "$P" && mv "$c.disk.tmp" "$c.disk"
        cat >>"$R/e2e/scenario.sh" <<'EOS'
mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && cd /mnt && echo "KEXE-E2E-MOUNTED $(ls /mnt | tr '\n' ' ')"
sync; echo 3 >/proc/sys/vm/drop_caches
EOS
        ;;
    esac
    cat >>"$R/e2e/scenario.sh" <<EOS
mount -t securityfs none /sys/kernel/security 2>/dev/null   # lockdown visible, as on a real host
args=\$(sed -n 's/.* perf\.args=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
sed 's/^/KEXE-E2E-MEMINFO /' /proc/meminfo | head -n3
case $kind in
kexe)
    ./boot.kexe --check \$args 2>&1 | sed 's/^/KEXE-E2E-CHECK /'
    echo "KEXE-E2E-T0 \$(cat /proc/uptime)"
    echo "KEXE-E2E-RUN perf: ./boot.kexe --foreground \$args"
    ./boot.kexe --foreground \$args
    ;;
kexe-sh)
    echo "KEXE-E2E-T0 \$(cat /proc/uptime)"
    echo "KEXE-E2E-RUN perf: cat boot.sh | sh -s -- --foreground \$args"
    cat $D/boot.sh | TMPDIR=/tmp sh -s -- --foreground \$args
    ;;
kexec-tools)
    echo "KEXE-E2E-T0 \$(cat /proc/uptime)"
    echo "KEXE-E2E-RUN perf: kexec -s -l"
    kexec -s -l $D/vmlinuz --initrd=$D/large.cpio --command-line="$cmdline" && kexec -e
    ;;
tarball)
    echo "KEXE-E2E-T0 \$(cat /proc/uptime)"
    echo "KEXE-E2E-RUN perf: tar xzf + kexec -s -l"
    mkdir -p $X && tar -C $X -xzf $D/payload.tar.gz && echo "KEXE-E2E-UNTARRED \$(cat /proc/uptime)" &&
        kexec -s -l $X/vmlinuz --initrd=$X/large.cpio --command-line="$cmdline" && kexec -e
    ;;
esac
echo "KEXE-E2E-RESULT perf rc=\$?"
dmesg | grep -iE 'oom|out of memory|kexec' | tail -n5 | sed 's/^/KEXE-E2E-DMESG /'
EOS
    mkcpio "$R" "$R.cpio"
    cat "$STAGE1" "$R.cpio" >"$c.tmp"
    rm -rf "$R" "$R.cpio"
    mv "$c.tmp" "$c"
    exec 8>&-
    printf '%s\n' "$c"
}

# boots LOADER MIB: one probe; 0 = stage 2 proved cmdline and checksums.
boots() {
    local loader=$1 mib=$2 kind args= c tag W log ts start=$SECONDS rc=0 why= t
    case $loader in
    kexe) kind=kexe ;;
    kexe:*) kind=kexe args=${loader#kexe:} ;;
    kexe-sh) kind=kexe-sh ;;
    kexe-sh:*) kind=kexe-sh args=${loader#kexe-sh:} ;;
    kexec-tools | tarball) kind=$loader ;;
    *) die "unknown loader $loader" ;;
    esac
    c=$(guest_cpio "$kind")
    tag="$size-$via${s2extra:+-$(printf '%s' "$s2extra" | tr -c 'a-zA-Z0-9' _)}-$fw-$(printf '%s' "$loader" | tr -c 'a-zA-Z0-9.-' _)-$mib${s1extra:+-$(printf '%s' "$s1extra" | tr -c 'a-zA-Z0-9' _)}"
    W="$out/$tag"; rm -rf "$W"; mkdir -p "$W"
    if [ "$fw" = ovmf-snakeoil ]; then
        snakeoil_pflash "$W/vars.fd" || die "cannot prepare the snakeoil variables in $W/vars.fd"
        fwargs=("${PFLASH[@]}")
    fi
    log="$W/serial.log" ts="$W/serial.ts"
    REASON_FILE="$W/reason"
    case $via in
    initramfs) disk=() ;;
    disk) disk=(-drive "file=$c.disk,format=raw,if=virtio,readonly=on") ;;
    ext4) disk=(-drive "file=$c.disk,format=raw,if=virtio,snapshot=on") ;;
    esac
    timeout -s KILL "$timeout" "$E2E_QEMU" -machine pc -accel "$E2E_ACCEL" -cpu max -smp 1 \
        -m "${mib}M" "${fwargs[@]}" "${disk[@]}" -nodefaults -display none -no-reboot -nic none \
        -serial stdio -monitor none -kernel "$KERNEL" -initrd "$c" \
        -append "console=ttyS0 panic=-1 kexe.e2e=stage1 perf.args=$args $s1extra" \
        </dev/null 2>"$W/qemu.err" |
        while IFS= read -r l; do
            l=${l%$'\r'}
            printf '%s %s\n' "$EPOCHREALTIME" "$l" >&3
            printf '%s\n' "$l" >&4
        done 3>"$ts" 4>"$log" || true
    if expect_kexec "$log" 2>/dev/null && expect_stage2 "$log" "$cmdline" "$STAGE2.files" "$big.files" 2>/dev/null; then
        res=PASS
    else
        res=FAIL rc=1
        why="$(cat "$W/reason" 2>/dev/null); $(grep -E 'KEXE-E2E-RESULT|^kexe: |Out of memory|Killed|oom-kill|Kernel panic|Initramfs unpacking failed' "$log" | head -n4 | tr '\n' '|')"
    fi
    t=$(awk '
        / KEXE-E2E-T0 / { t0 = $1 }
        t0 && !ld && /Starting new kernel/ { ld = $1 }
        t0 && !k2 && /Linux version/ { k2 = $1 }
        t0 && !s2 && / KEXE-E2E-STAGE2-BEGIN/ { s2 = $1 }
        function d(x) { return x ? sprintf("%.1f", x - t0) : "-" }
        END { print d(ld), d(k2), d(s2) }' "$ts")
    printf '%s %s %s %s %s %s %ss %s %s\n' "$size" "$via" "$fw" "$loader${s1extra:+ [$s1extra]}$s2tag" "$mib" "$res" \
        "$((SECONDS - start))" "$t" "$why" | tee -a "$out/results.txt" >&2
    return "$rc"
}

case $cmd in
boot) boots "$loader" "$1" ;;
bisect)
    r=$(bisect_ram "$loader" "$1" "$2" "$step") || rc=$?
    echo "RESULT $size $via $fw $loader${s1extra:+ [$s1extra]}$s2tag: $r" | tee -a "$out/results.txt"
    exit "${rc:-0}"
    ;;
*) die "boot or bisect" ;;
esac
