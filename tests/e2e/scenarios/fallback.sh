# fallback: --fallback 45 arms the i6300esb watchdog just before the jump. Stage 1 loads
# Debian's watchdog core module with stop_on_reboot=0 (else the kexec itself stops the
# watchdog, docs/FALLBACK.md) and QEMU resets on a watchdog expiry (-action reboot=reset
# overrides the harness's -no-reboot).
# First jump: stage 2 hangs (kexe.e2e.hang=1) -> the watchdog resets the machine, stage 1
# boots again by itself and finds the driver's bootstatus set (QEMU keeps the i6300esb's
# "previous reboot" flag across the reset). Second jump, from there: stage 2 confirms (loads
# the driver, magic close) and is still up 50 s later, past the 45 s timeout. (20 s was too
# short under TCG: the reset came while stage 2's kernel was still starting /init.)

# wdt_modules: directory with watchdog.ko (the core) and i6300esb.ko from $KERNEL's package.
wdt_modules() {
    local kdir pkg ver d tmp
    kdir=$(basename "$(dirname "$KERNEL")")          # linux-image-X_VER
    pkg=${kdir%%_*} ver=${kdir#*_}
    d="$CACHE/e2e/modules/$kdir-wdt"
    if [ ! -s "$d/i6300esb.ko" ] || [ ! -s "$d/watchdog.ko" ]; then
        rm -rf "$d" "$d.tmp"
        tmp=$(mktemp -d "$W/deb.XXXXXX")
        unpack_deb "$pkg=$ver" "$tmp"
        mkdir -p "$d.tmp"
        find "$tmp/x/lib/modules" \( -name i6300esb.ko -o -name watchdog.ko \) \
            -exec cp {} "$d.tmp/" \;
        rm -rf "$tmp"
        [ -s "$d.tmp/i6300esb.ko" ] && [ -s "$d.tmp/watchdog.ko" ] ||
            { fail "no i6300esb.ko or watchdog.ko in $pkg=$ver"; return 1; }
        mv "$d.tmp" "$d"
    fi
    printf '%s\n' "$d"
}

FALLBACK_WORDS="panic=45 panic_on_oops=1 watchdog.handle_boot_enabled=1 watchdog.open_timeout=45"

scenario_run() {
    local hang confirm mods
    hang="$(s2_cmdline fallback-hang) kexe.e2e.hang=1"
    confirm="$(s2_cmdline fallback-confirm) kexe.e2e.confirm=50"
    mods=$(wdt_modules) || return 1
    mkdir -p "$ROOTFS/lib/modules"
    cp "$mods"/*.ko "$ROOTFS/lib/modules/"
    pack "$GUEST/hang.kexe" --initrd "$STAGE2" --cmdline "$hang"
    pack "$GUEST/confirm.kexe" --initrd "$STAGE2" --cmdline "$confirm"
    guest_script <<'EOS'
insmod /lib/modules/watchdog.ko stop_on_reboot=0 || echo "KEXE-E2E-INSMOD-FAILED watchdog"
insmod /lib/modules/i6300esb.ko || echo "KEXE-E2E-INSMOD-FAILED i6300esb"
bs=$(cat /sys/class/watchdog/watchdog0/bootstatus 2>/dev/null)
echo "KEXE-E2E-WATCHDOG bootstatus=$bs"
./hang.kexe --check --fallback 45 | grep fallback | sed 's/^/KEXE-E2E-CHECK /'
if [ -n "$bs" ] && [ "$bs" != 0 ]; then
    echo "KEXE-E2E-CAME-BACK"
    run_boot confirm ./confirm.kexe --now --fallback 45 \
        --carry-file /lib/modules/watchdog.ko:/lib/modules/watchdog.ko \
        --carry-file /lib/modules/i6300esb.ko:/lib/modules/i6300esb.ko
else
    run_boot hang ./hang.kexe --now --fallback 45
fi
EOS
    S1_QEMU=(-device i6300esb -action watchdog=reset -action reboot=reset)
    boot_stage1 fallback "$E2E_MEM" 420
    local s; s=$(serial "$LOG")
    grep -q '^KEXE-E2E-CHECK pass  fallback    watchdog i6300ESB timer is armed for 45 s' <<<"$s" ||
        fail "--check: $(grep -m1 '^KEXE-E2E-CHECK' <<<"$s")" || return 1
    grep -q '^KEXE-E2E-HANG$' <<<"$s" || fail "stage 2 never hung: $(log_hint "$LOG")" || return 1
    sed -n '/^KEXE-E2E-HANG$/,$p' <<<"$s" | grep -q '^KEXE-E2E-CAME-BACK$' ||
        fail "the machine did not come back to stage 1: $(log_hint "$LOG")" || return 1
    grep -qxF "KEXE-E2E-CMDLINE [$hang $FALLBACK_WORDS]" <<<"$s" ||
        fail "hang: no --fallback words in /proc/cmdline" || return 1
    sed -n '/^KEXE-E2E-CAME-BACK$/,$p' <<<"$s" | grep -q '^KEXE-E2E-CONFIRMED$' ||
        fail "stage 2 did not confirm: $(log_hint "$LOG")" || return 1
    grep -q '^KEXE-E2E-ALIVE-AFTER 50s$' <<<"$s" ||
        fail "the confirmed system did not stay up: $(log_hint "$LOG")" || return 1
    [ "$(grep -c '^KEXE-E2E-STAGE1-BEGIN' <<<"$s")" = 2 ] ||
        fail "stage 1 booted $(grep -c '^KEXE-E2E-STAGE1-BEGIN' <<<"$s") times (want 2)" || return 1
    note "came back $(grep -m1 'KEXE-E2E-WATCHDOG bootstatus=[1-9]' <<<"$s" | cut -d' ' -f2)"
}
