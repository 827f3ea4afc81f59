# nixos-anywhere: `kexe pack --format nixos-anywhere` writes kexec.tar.gz, and stage 1 replays
# what `nixos-anywhere --kexec kexec.tar.gz` runs on the target, in its order and with its
# words (nix-community/nixos-anywhere src/nixos-anywhere.sh, runKexec(), as of commit
# 91fc9b70): it writes the remote script below to ~/kexec/nixos-anywhere-kexec.sh, uploads the
# tarball to ~/kexec/kexec-tarball.tar.gz, and runs the script, which unpacks the tarball with
# `tar -xv --gzip`, runs `setsid --wait kexec/run --kexec-extra-flags FLAGS` and succeeds only
# if the output holds "machine will boot into nixos". Then the machine must reboot into the
# new kernel by itself, with root's key, the ssh host key and the address carried over.
#
# Stage 1 is busybox only. nixos-anywhere itself wants more of a target (its get-facts.sh):
# bash to run the script and a setsid that knows --wait; busybox 1.35 has neither, so this
# replay runs the script with busybox sh under the name bash, where setsid is a function that
# drops --wait (busybox setsid called from a shell without job control does not fork, so it
# waits anyway). The facts are printed and noted; kexec/run itself needs neither.

# The remote script nixos-anywhere writes for a local tarball, a root login and no --debug:
# remoteCommandTemplate from src/nixos-anywhere.sh with its substitutions.
na_remote_script() {
    local kexecExtraFlags=$1 maybeSudo='' enableDebug='' tarDecomp=--gzip
    local remoteCommandTemplate tarCommand
    remoteCommandTemplate="
# Run kexec commands with sudo if needed
{
  set -eu ${enableDebug}
  cd \"\$HOME/kexec\"
  echo Downloading kexec tarball, this may take a moment...
  # Execute tar command
  %TAR_COMMAND%
  TMPDIR=\"\$HOME/kexec\" ${maybeSudo} setsid --wait \"\$HOME/kexec/kexec/run\" --kexec-extra-flags $(printf '%q' "$kexecExtraFlags")
} 2>&1 | tee \"\$HOME/kexec/nixos-anywhere.log\" || true

# The script will likely disconnect us, so we consider it successful if we see the kexec message
if ! grep -q 'machine will boot into nixos' \"\$HOME/kexec/nixos-anywhere.log\"; then
  echo 'Kexec may have failed - check output above'
  exit 1
fi
"
    tarCommand="cat \"\$HOME/kexec/kexec-tarball.tar.gz\" | tar -xv ${tarDecomp}"
    printf '%s\n' "${remoteCommandTemplate//'%TAR_COMMAND%'/$tarCommand}"
}

scenario_run() {
    local cmdline key want facts
    cmdline=$(s2_cmdline nixos-anywhere)
    pack "$GUEST/kexec.tar.gz" --initrd "$STAGE2" --cmdline "$cmdline" --format nixos-anywhere
    # --no-sync is the example nixos-anywhere's --help gives; --append goes to the command line
    na_remote_script "--no-sync --append=kexe.na=extra" >"$GUEST/nixos-anywhere-kexec.sh"
    key='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKexeE2EnixosAnywhereReplay kexe-e2e'
    guest_script <<EOS
export HOME=/root
# the host as nixos-anywhere finds it: root's key (behind cloud-init's forced command, as on
# Debian's cloud images; the one option --carry-ssh-keys drops), an ssh host key, an address
mkdir -p /root/.ssh /etc/ssh
printf '%s %s\n' "command=\"echo 'Please login as the user \\\\\"debian\\\\\" rather than the user \\\\\"root\\\\\".';echo;sleep 10;exit 142\"" '$key' >/root/.ssh/authorized_keys
printf 'KEXE-E2E host key\n' >/etc/ssh/ssh_host_ed25519_key
ip link set lo up
ip addr add 10.20.30.40/24 dev lo
EOS
    cat >>"$GUEST/scenario.sh" <<'EOS'
# importFacts (src/get-facts.sh): what nixos-anywhere checks before it starts
has() { command -v "$1" >/dev/null && echo y || echo n; }
echo "KEXE-E2E-FACT hasTar=$(has tar) hasCpio=$(has cpio) hasBash=$(has bash) hasSetsid=$(
    if [ "$(has setsid)" = y ] && setsid --wait true 2>/dev/null; then echo y; else echo n; fi)"
# a stand-in for bash: busybox sh, with setsid a function that drops --wait (busybox sh runs
# its own applets before anything in PATH, so an executable named setsid would not be used)
mkdir -p /tmp/na-bin
cat >/tmp/na-bin/bash <<'SH'
#!/bin/sh
exec sh -c 'setsid() { [ "$1" != --wait ] || shift; busybox setsid "$@"; }; . "$0"' "$@"
SH
chmod +x /tmp/na-bin/bash
export PATH=/tmp/na-bin:$PATH
echo "KEXE-E2E-RUN nixos-anywhere: runKexec"
# runSsh 'mkdir -p "$HOME/kexec" && cat > "$HOME/kexec/nixos-anywhere-kexec.sh"' <<EOF ...
sh -c 'mkdir -p "$HOME/kexec" && cat > "$HOME/kexec/nixos-anywhere-kexec.sh"' \
    </e2e/nixos-anywhere-kexec.sh
# "${localUploadCommand[@]}" | runSsh 'cat > "$HOME/kexec/kexec-tarball.tar.gz"'
cat /e2e/kexec.tar.gz | sh -c 'cat > "$HOME/kexec/kexec-tarball.tar.gz"'
rm /e2e/kexec.tar.gz
# runSsh 'bash "$HOME/kexec/nixos-anywhere-kexec.sh"' (ssh without a terminal: stdin not one)
sh -c 'bash "$HOME/kexec/nixos-anywhere-kexec.sh"' </dev/null
echo "KEXE-E2E-RESULT nixos-anywhere rc=$?"
# nixos-anywhere now waits for ssh to go away, then for the new system to answer
sleep 60
echo "KEXE-E2E-NOREBOOT nixos-anywhere: no reboot 60 s after the script returned"
EOS
    boot_stage1 nixos-anywhere "$E2E_MEM"
    facts=$(serial "$LOG" | sed -n 's/^KEXE-E2E-FACT //p' | head -n1)
    note "target facts (busybox): ${facts:-none printed}; bash and setsid --wait stood in"
    serial "$LOG" | grep -qx 'kexec/run' ||
        fail "tar -xv --gzip did not list kexec/run: $(log_hint "$LOG")" || return 1
    serial "$LOG" | grep -q '^kexec/run: ignoring kexec-tools flag --no-sync' ||
        fail "kexec/run did not note --no-sync from --kexec-extra-flags" || return 1
    serial "$LOG" | grep -q '^machine will boot into nixos in 6s\.\.\.$' ||
        fail "no 'machine will boot into nixos' line: $(log_hint "$LOG")" || return 1
    # nixos-anywhere's own test of that line passed, and the ssh command returned before the
    # reboot (the bundle detached)
    serial "$LOG" | sed -n '/^KEXE-E2E-RESULT nixos-anywhere rc=0$/,$p' |
        grep -q '^KEXE-E2E-STAGE2-BEGIN$' ||
        fail "the remote script did not return 0 before the reboot: $(log_hint "$LOG")" ||
        return 1
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline kexe.na=extra" "$STAGE2.files" || return 1
    want=$(printf '%s\n' "$key" | sha256sum | cut -d' ' -f1)
    serial "$LOG" | grep -qx "KEXE-E2E-CARRIED /ssh/authorized_keys $want" ||
        fail "root's key did not reach stage 2 as ssh/authorized_keys" || return 1
    want=$(printf 'KEXE-E2E host key\n' | sha256sum | cut -d' ' -f1)
    serial "$LOG" | grep -qx "KEXE-E2E-CARRIED /ssh/ssh_host_ed25519_key $want" ||
        fail "the ssh host key did not reach stage 2" || return 1
    serial "$LOG" | grep '^KEXE-E2E-JSON /addrs.json ' | grep -q '"local":"10.20.30.40"' ||
        fail "addrs.json in stage 2 lacks 10.20.30.40"
}
