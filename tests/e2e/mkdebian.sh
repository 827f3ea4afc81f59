#!/bin/bash
# Build (or reuse from the cache) a Debian 12 root file system image and print its path: a raw
# ext4 image (no partition table) of a minimal bookworm with systemd as init, udev and
# openssh-server, made with mmdebstrap from Debian's archive (no recommends). It has no kernel
# and no initramfs: QEMU boots the e2e's Debian kernel with the ext4 initrd (mkinitrd.sh ext4),
# which loads virtio_blk and ext4 from the kernel's package and switch_roots into it.
#
# What a scenario runs comes on a second virtio disk (/dev/vdb): a plain tar holding run.sh
# (and the bundle), which /usr/local/sbin/kexe-e2e unpacks into /run/e2e and runs:
#   with systemd as pid 1: from kexe-e2e.service, once the journal is on disk
#     (after systemd-journal-flush.service: journald holds its files open for writing);
#   without it: from /usr/local/sbin/kexe-e2e-init, given as kexe.init= on the command line
#     (mkinitrd.sh ext4's init execs it in place of /sbin/init).
# The image is cached under $KEXE_CACHE/e2e/debian, keyed by this script (the recipe) and the
# mirror; apt must reach Debian's archive the first time. Needs mmdebstrap and e2fsprogs.
set -eu
. "$(dirname "$0")/lib.sh"

: "${E2E_DEBIAN_MIRROR:=http://deb.debian.org/debian}"
SUITE=bookworm
PACKAGES=systemd-sysv,udev,openssh-server
SIZE=1G

dir="$CACHE/e2e/debian"
mkdir -p "$dir"
key=$(cache_key "$0" "$E2E_DEBIAN_MIRROR")
out="$dir/debian-$SUITE-$key.ext4"
exec 7>"$dir/.lock"
flock 7
if [ -s "$out" ]; then
    printf '%s\n' "$out"
    exit 0
fi
for t in mmdebstrap mkfs.ext4; do
    command -v "$t" >/dev/null || die "$t not found (apt-get install mmdebstrap e2fsprogs)"
done

tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"
mkdir -p "$root"
start=$SECONDS
log "building the Debian $SUITE image (mmdebstrap, minbase + $PACKAGES)"

# Files the hooks copy into the root ("$1" is the root in mmdebstrap's hooks).
mkdir -p "$tmp/files"
cat >"$tmp/files/kexe-e2e" <<'EOF'
#!/bin/sh
# Unpacks the scenario from /dev/vdb (a tar) into /run/e2e and runs its run.sh there.
mkdir -p /run/e2e && cd /run/e2e || exit 1
i=0
while [ ! -b /dev/vdb ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tar -xf /dev/vdb || { echo "KEXE-E2E-NO-SCENARIO-DISK"; exit 1; }
exec sh ./run.sh
EOF
cat >"$tmp/files/kexe-e2e-init" <<'EOF'
#!/bin/sh
# pid 1 on a host without systemd: mounts the API file systems and runs the scenario.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs run /run
exec </dev/console >/dev/console 2>&1
/usr/local/sbin/kexe-e2e
echo "KEXE-E2E-INIT-END rc=$?"
sleep 600
EOF
cat >"$tmp/files/kexe-e2e.service" <<'EOF'
[Unit]
Description=kexe e2e scenario from /dev/vdb
After=systemd-journal-flush.service ssh.service systemd-user-sessions.service
ConditionKernelCommandLine=kexe.e2e

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kexe-e2e
StandardInput=null
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console

[Install]
WantedBy=multi-user.target
EOF

mmdebstrap --variant=minbase --include="$PACKAGES" \
    --aptopt='APT::Install-Recommends "false"' --dpkgopt=force-unsafe-io \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='echo kexe-e2e >"$1/etc/hostname"' \
    --customize-hook='echo 4b455845653265646562696e31320000 >"$1/etc/machine-id"' \
    --customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab"' \
    --customize-hook='mkdir -p "$1/var/log/journal"' \
    --customize-hook="install -m 755 $tmp/files/kexe-e2e $tmp/files/kexe-e2e-init \"\$1/usr/local/sbin/\"" \
    --customize-hook="install -m 644 $tmp/files/kexe-e2e.service \"\$1/etc/systemd/system/\"" \
    --customize-hook='chroot "$1" systemctl enable kexe-e2e.service' \
    --customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages' \
    "$SUITE" "$root" "$E2E_DEBIAN_MIRROR" >"$tmp/mmdebstrap.log" 2>&1 ||
    die "mmdebstrap failed: $(tail -n3 "$tmp/mmdebstrap.log")"
log "mmdebstrap done in $((SECONDS - start)) s"
mkfs.ext4 -q -F -L debian -d "$root" "$tmp/image" "$SIZE" >/dev/null ||
    die "mkfs.ext4 -d failed"
mv "$tmp/image" "$out"
log "Debian image $out ($(du -sm "$root" | cut -f1) MiB of files) built in $((SECONDS - start)) s"
printf '%s\n' "$out"
