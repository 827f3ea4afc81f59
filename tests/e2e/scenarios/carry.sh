# carry: the first system gets an address and a route (on lo, the guest has
# no NIC), and the bundle runs with --carry-network and --carry-file; the
# second stage must find the carried file (exact checksum) and the address
# and route in its addrs.json / routes-v4.json.
scenario_run() {
    local cmdline want
    cmdline=$(s2_cmdline carry)
    pack "$GUEST/boot.kexe" --initrd "$STAGE2" --cmdline "$cmdline"
    printf 'KEXE-E2E carried by --carry-file\n' >"$W/carried.txt"
    want="$W/carried.files"
    printf 'KEXE-E2E-FILE /e2e/carried.txt %s\n' "$(sha256 "$W/carried.txt")" >"$want"
    guest_script <<'EOS'
ip link set lo up
ip addr add 10.11.12.13/24 dev lo
ip route add 10.99.0.0/16 dev lo metric 7
printf 'KEXE-E2E carried by --carry-file\n' >/tmp/carried.txt
run_boot carry ./boot.kexe --foreground --carry-network --carry-file /tmp/carried.txt:/e2e/carried.txt
EOS
    boot_stage1 carry "$E2E_MEM"
    expect_kexec "$LOG"
    expect_stage2 "$LOG" "$cmdline" "$STAGE2.files" "$want" || return 1
    serial "$LOG" | grep '^KEXE-E2E-JSON /addrs.json ' |
        grep -q '"family":"inet","local":"10.11.12.13","prefixlen":24' ||
        fail "addrs.json lacks 10.11.12.13/24: $(serial "$LOG" | grep -m1 '^KEXE-E2E-JSON /addrs' | cut -c1-200)" ||
        return 1
    serial "$LOG" | grep '^KEXE-E2E-JSON /routes-v4.json ' |
        grep -q '{"dst":"10.99.0.0/16","dev":"lo","scope":"link","metric":7,"flags":\[\]}' ||
        fail "routes-v4.json lacks the route: $(serial "$LOG" | grep -m1 '^KEXE-E2E-JSON /routes' | cut -c1-200)"
}
