# sh-pipe: the shell form of a bundle (kexe pack --format sh) piped into
# busybox sh, `cat boot.sh | sh`, the way `curl -fsSL URL | sh` runs it, with
# /tmp mounted noexec: the script must find a place where the bundle can run
# (here /e2e, the current directory: there is no /dev/shm or /run), check it
# and boot stage 2. A --help run first shows where it unpacked; a dry run
# through the same pipe must pass.
scenario_run() {
    local cmdline where; cmdline=$(s2_cmdline sh-pipe)
    pack "$GUEST/boot.sh" --format sh --initrd "$STAGE2" --cmdline "$cmdline"
    guest_script <<'EOS'
mount -t tmpfs -o noexec tmpfs /tmp
printf '#!/bin/sh\nexit 0\n' >/tmp/probe && chmod +x /tmp/probe
if /tmp/probe 2>/dev/null; then echo "KEXE-E2E-TMP exec"; else echo "KEXE-E2E-TMP noexec"; fi
rm -f /tmp/probe
cat /e2e/boot.sh | sh -s -- --help | sed -n 's|^Usage: \(.*\)/kexe\.[^/]*/boot\.kexe .*|KEXE-E2E-UNPACKED \1|p'
run_refused dry-run sh -c 'cat /e2e/boot.sh | sh -s -- --dry-run'
run_boot sh-pipe sh -c 'cat /e2e/boot.sh | sh'
EOS
    boot_stage1 sh-pipe "$E2E_MEM"
    serial "$LOG" | grep -q '^KEXE-E2E-TMP noexec$' ||
        fail "/tmp in stage 1 is not noexec: $(log_hint "$LOG")" || return 1
    where=$(serial "$LOG" | sed -n 's/^KEXE-E2E-UNPACKED //p' | head -n1)
    [ "$where" = /e2e ] ||
        fail "the script unpacked into '${where:-nowhere}', want /e2e: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^KEXE-E2E-RESULT dry-run rc=0$' &&
        serial "$LOG" | grep -q '^KEXE-E2E-STDERR dry-run kexe: dry run: .*nothing was loaded' ||
        fail "the dry run through the pipe did not pass: $(log_hint "$LOG")" || return 1
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files"
    note "cat boot.sh | sh with /tmp noexec: unpacked into $where, booted stage 2"
}
