# debian-direct: the direct reboot (no `systemctl kexec`) from a real Debian 12 host leaves its
# ext4 root clean on disk although a daemon holds files on it open for writing, so `mount -o
# remount,ro /` fails with EBUSY. Two boots of the Debian image (mkdebian.sh: systemd,
# openssh-server, ext4 root on a virtio disk), each running a bundle that kexecs into the ext4
# initrd's check (guest/ext4-init), which reads the root's superblock before anything replays
# its journal:
#   systemd   systemd is pid 1, journald writes the journal in /var/log/journal; the service
#             kexe-e2e writes /root/before and runs ./boot.kexe --foreground --force
#   init      pid 1 is a shell script (kexe.init=/usr/local/sbin/kexe-e2e-init), a writer
#             (`sleep >>/var/log/kexe-writer`) holds a file open; ./boot.kexe --foreground
# Each must show / busy before the run, then in the second kernel: the ext4 magic, state 1
# (clean), no RECOVER (0x4) in s_feature_incompat, and /root/before as written. The loader of
# before it froze busy file systems rebooted with the journal needing recovery (recover=yes).
scenario_run() {
    local image rd cmdline boot rc=0
    image=$("$E2E/mkdebian.sh" 2>"$W/mkdebian.err") ||
        fail "cannot build the Debian image: $(tail -n1 "$W/mkdebian.err")" || return 1
    rd=$("$E2E/mkext4initrd.sh" 2>"$W/mkext4initrd.err") ||
        fail "cannot build the ext4 initrd: $(tail -n1 "$W/mkext4initrd.err")" || return 1
    ! grep -q ' built in ' "$W/mkdebian.err" ||
        note "$(sed -n 's/^e2e: \(mmdebstrap done in .*\)/\1/p; s/^e2e: Debian image .*\/\(.*\)/\1/p' "$W/mkdebian.err" | tr '\n' ' ')"
    cmdline="console=$E2E_CONSOLE panic=-1 kexe.e2e=debian-direct kexe.ext4=check"
    pack "$GUEST/boot.kexe" --initrd "$rd" --cmdline "$cmdline"
    for boot in systemd init; do
        debian_boot "$boot" "$image" "$rd" || rc=1
    done
    return $rc
}

# debian_boot MODE IMAGE INITRD: one boot of the Debian image running the bundle; checks it.
debian_boot() {
    local mode=$1 image=$2 rd=$3 append= args=--force got
    # no login prompt or status lines on the console in the middle of the markers
    local quiet=" systemd.show_status=0 systemd.mask=serial-getty@$E2E_CONSOLE.service"
    rm -rf "$W/disk" && mkdir -p "$W/disk"
    cp "$GUEST/boot.kexe" "$W/disk/"
    if [ "$mode" = init ]; then
        append=" kexe.init=/usr/local/sbin/kexe-e2e-init" args=
        # what keeps / busy on a host without journald: any daemon appending to a log
        echo 'sleep 100000 >>/var/log/kexe-writer &' >"$W/disk/run.sh"
    else
        : >"$W/disk/run.sh"
    fi
    cat >>"$W/disk/run.sh" <<EOS
echo
echo "KEXE-E2E-DEBIAN pid1=\$(cat /proc/1/comm) \$(grep ' / ' /proc/mounts | head -n1)"
echo "KEXE-E2E-JOURNAL \$(ls /var/log/journal/*/ 2>/dev/null | tr '\n' ' ')"
if mount -o remount,ro / 2>/dev/null; then
    echo "KEXE-E2E-BUSY no"
    mount -o remount,rw /
else
    echo "KEXE-E2E-BUSY yes"
fi
echo "before-$mode" >/root/before
echo "KEXE-E2E-RUN $mode: ./boot.kexe --foreground $args"
./boot.kexe --foreground $args
echo "KEXE-E2E-RESULT $mode rc=\$?"
EOS
    tar -C "$W/disk" -cf "$W/disk.tar" . && rm -rf "$W/disk"
    LOG="$W/$mode.log"
    "$E2E/qemu-boot.sh" "$KERNEL" "$rd" \
        "console=$E2E_CONSOLE panic=-1 kexe.e2e=debian-direct kexe.ext4=boot$quiet$append" 512M \
        "$E2E_TIMEOUT" "$LOG" -drive "file=$image,format=raw,if=virtio,snapshot=on" \
        -drive "file=$W/disk.tar,format=raw,if=virtio,readonly=on" || true
    rm -f "$W/disk.tar"
    serial "$LOG" | grep -q "^KEXE-E2E-DEBIAN pid1=$([ "$mode" = init ] && echo kexe-e2e-init || echo systemd) /dev/vda / ext4 rw" ||
        fail "$mode: the Debian host did not run the scenario: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-BUSY yes$' ||
        fail "$mode: / was not busy (remount read-only worked), nothing tested" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-CHECK-END$' ||
        fail "$mode: no boot into the check after the run: $(log_hint "$LOG")" || return 1
    got=$(serial "$LOG" | sed -n 's/^KEXE-E2E-EXT4 //p')
    case $got in
    "magic=ef53 state=1 "*" recover=no") ;;
    *) fail "$mode: the root file system was left needing recovery or unclean: $got" || return 1 ;;
    esac
    got=$(serial "$LOG" | sed -n 's/^KEXE-E2E-BEFORE //p')
    [ "$got" = "before-$mode" ] ||
        fail "$mode: /root/before on disk is '$got', want 'before-$mode'" || return 1
    note "$mode: $(serial "$LOG" | grep -m1 -o 'kexe: / cannot be remounted read-only.*' || echo 'no freeze line')"
}
