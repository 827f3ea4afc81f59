# sh-pipe: the shell form of a bundle (kexe pack --format sh) piped into
# busybox sh, `cat boot.sh | sh`, the way `curl -fsSL URL | sh` runs it. From
# a pipe the script writes only the loader (the stub) to a file and the loader
# reads the payload from the pipe, so the payload is never stored. To prove it,
# /tmp is mounted noexec and the only place where programs run is the current
# directory, a 1 MiB tmpfs, far smaller than the bundle: the script must skip
# /tmp, write the loader there and boot stage 2. A --help run first shows
# where the loader went; a dry run through the same pipe must pass.
scenario_run() {
    local cmdline where size; cmdline=$(s2_cmdline sh-pipe)
    pack "$GUEST/boot.sh" --format sh --initrd "$STAGE2" --cmdline "$cmdline"
    size=$(stat -c %s "$GUEST/boot.sh")
    [ "$size" -gt $((4 << 20)) ] ||
        fail "boot.sh is only $size bytes: too small to prove it is not stored in 1 MiB" || return 1
    guest_script <<'EOS'
mount -t tmpfs -o noexec tmpfs /tmp
printf '#!/bin/sh\nexit 0\n' >/tmp/probe && chmod +x /tmp/probe
if /tmp/probe 2>/dev/null; then echo "KEXE-E2E-TMP exec"; else echo "KEXE-E2E-TMP noexec"; fi
rm -f /tmp/probe
mkdir -p /small && mount -t tmpfs -o size=1m,mode=1777 tmpfs /small && cd /small
echo "KEXE-E2E-SMALL $(df -Pk /small | awk 'NR == 2 { print $2 }')"
cat /e2e/boot.sh | sh -s -- --help | sed -n 's|^Usage: \(.*\)/kexe\.[^/]*/boot\.kexe .*|KEXE-E2E-UNPACKED \1|p'
run_refused dry-run sh -c 'cat /e2e/boot.sh | sh -s -- --dry-run'
run_boot sh-pipe sh -c 'cat /e2e/boot.sh | sh'
EOS
    boot_stage1 sh-pipe "$E2E_MEM"
    serial "$LOG" | grep -q '^KEXE-E2E-TMP noexec$' ||
        fail "/tmp in stage 1 is not noexec: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-SMALL 1024$' ||
        fail "no 1 MiB tmpfs in stage 1: $(log_hint "$LOG")" || return 1
    where=$(serial "$LOG" | sed -n 's/^KEXE-E2E-UNPACKED //p' | head -n1)
    [ "$where" = /small ] ||
        fail "the script wrote the loader into '${where:-nowhere}', want /small: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-RESULT dry-run rc=0$' &&
        serial "$LOG" | grep -q '^KEXE-E2E-STDERR dry-run kexe: dry run: .*nothing was loaded' ||
        fail "the dry run through the pipe did not pass: $(log_hint "$LOG")" || return 1
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
    note "cat boot.sh | sh ($size bytes) with /tmp noexec: only the loader in a 1 MiB tmpfs, booted stage 2"
}
