# --fallback SECONDS (sourced by tests/cli/run.sh): the new kernel's command line gets what a way
# back needs, the hardware watchdog is armed through the seam only after the load and just
# before the reboot, and stopped again when the reboot fails; --check says what covers what.
# The fake seam's watchdog is KEXE_FAKE_WATCHDOG (an identity, "none" or "softdog"); --check
# reads the fake host's sysfs (watchdog_host).

FALLBACK_WORDS="panic=20 panic_on_oops=1 watchdog.handle_boot_enabled=1 watchdog.open_timeout=20"

# watchdog_host IDENTITY STOP_ON_REBOOT: a copy of the fake host with a watchdog in sysfs (no
# watchdog for an empty IDENTITY); prints its directory.
watchdog_host() {
	local dir=$WORK/wd-host
	rm -rf "$dir"
	cp -r "$HOSTROOT" "$dir"
	mkdir -p "$dir/sys/module/watchdog/parameters"
	echo "$2" >"$dir/sys/module/watchdog/parameters/stop_on_reboot"
	if [ -n "$1" ]; then
		mkdir -p "$dir/sys/class/watchdog/watchdog0"
		echo "$1" >"$dir/sys/class/watchdog/watchdog0/identity"
	fi
	echo "$dir"
}

test_fallback_appends_panic_and_watchdog_words_to_the_command_line() {
	local dump=$WORK/fb-dump
	mkdir -p "$dump"
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump KEXE_FAKE_WATCHDOG="i6300ESB timer" expect_exit 0 "$WORK/b.kexe" \
		--append a=1 --fallback 20 --foreground || return 1
	[ "$(cat "$dump/cmdline")" = "$CMDLINE a=1 $FALLBACK_WORDS" ] ||
		fail "cmdline: $(cat "$dump/cmdline")"
	# without a watchdog a panic still resets
	KEXE_FAKE_DUMP=$dump KEXE_FAKE_WATCHDOG=none expect_exit 0 "$WORK/b.kexe" --fallback 20 \
		--foreground || return 1
	[ "$(cat "$dump/cmdline")" = "$CMDLINE $FALLBACK_WORDS" ] ||
		fail "cmdline without a watchdog: $(cat "$dump/cmdline")"
	err_has "no hardware watchdog" || return 1
	expect_exit 0 "$WORK/b.kexe" --dry-run --fallback 20 || return 1
	err_has "command line: $CMDLINE $FALLBACK_WORDS" || return 1
	expect_exit 2 "$WORK/b.kexe" --fallback 0 && err_has "--fallback takes seconds"
}

test_fallback_arms_the_watchdog_after_the_load_just_before_the_reboot() {
	local log=$WORK/fb-arm.log
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG="i6300ESB timer" expect_exit 0 "$WORK/b.kexe" \
		--fallback 20 --foreground || return 1
	grep -q '^kexec_file_load kernel' "$log" || fail "no load: $(tr '\n' '|' <"$log")"
	seam_log_has "$log" 'watchdog arm 20\nkmsg kexe: fallback: watchdog i6300ESB timer armed for 20 s; the new system must take it over or this one comes back\nkmsg kexe: rebooting into the loaded kernel now\n'
	[ "$(grep -n '' "$log" | grep -m1 'kexec_file_load' | cut -d: -f1)" -lt \
		"$(grep -n '' "$log" | grep 'watchdog arm' | cut -d: -f1)" ] || fail "armed before the load"
	[ "$(tail -n 1 "$log")" = reboot ] || fail "not last before the reboot: $(tr '\n' '|' <"$log")"
	! grep -q 'watchdog disarm' "$log" || fail "disarmed a jump that went ahead"
	# detached: armed after the delay, in the child that reboots
	rm -f "$log"
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x expect_exit 0 "$WORK/b.kexe" --fallback 20 \
		--detach --now --log "$WORK/fb-detach.log" || return 1
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		grep -q '^reboot$' "$log" && break
		sleep 0.25
	done
	seam_log_has "$log" 'watchdog arm 20\n'
	seam_log_has "$log" 'rebooting into the loaded kernel now\nreboot\n'
}

test_fallback_disarms_when_the_reboot_fails_and_never_arms_otherwise() {
	local log=$WORK/fb-fail.log
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x KEXE_FAKE_REBOOT_ERRNO=5 expect_exit 8 \
		"$WORK/b.kexe" --fallback 20 --foreground || return 1
	seam_log_has "$log" 'watchdog arm 20\n'
	seam_log_has "$log" 'reboot\nwatchdog disarm\nkexec_file_load unload\n'
	# systemd's kexec fails: same
	rm -f "$log"
	local host=$WORK/fb-systemd
	rm -rf "$host" && cp -r "$HOSTROOT" "$host" && echo systemd >"$host/proc/1/comm"
	KEXE_FAKE_ROOT=$host KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x KEXE_FAKE_SYSTEMCTL=1 \
		expect_exit 8 "$WORK/b.kexe" --fallback 20 --foreground || return 1
	seam_log_has "$log" 'watchdog arm 20\nkmsg kexe: fallback: watchdog x armed for 20 s; the new system must take it over or this one comes back\nkmsg kexe: systemd runs this host: asking it to stop services and kexec (systemctl kexec)\nsystemctl kexec\nwatchdog disarm\nkexec_file_load unload\n'
	# a watchdog that cannot be armed (busy): nothing jumps without the way back asked for
	rm -f "$log"
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x KEXE_FAKE_WATCHDOG_ERRNO=16 expect_exit 8 \
		"$WORK/b.kexe" --fallback 20 --foreground || return 1
	err_has "cannot arm the watchdog (Resource busy: it is in use)" || return 1
	! grep -q '^reboot' "$log" || fail "rebooted without the watchdog: $(tr '\n' '|' <"$log")"
	seam_log_has "$log" 'watchdog arm 20\nkexec_file_load unload\n'
	# a failed load, --load-only, --dry-run and --check never touch the watchdog
	rm -f "$log"
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x KEXE_FAKE_LOAD_ERRNO=38 expect_exit 6 \
		"$WORK/b.kexe" --fallback 20 --foreground || return 1
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x expect_exit 0 "$WORK/b.kexe" --fallback 20 \
		--load-only || return 1
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x expect_exit 0 "$WORK/b.kexe" --fallback 20 \
		--dry-run || return 1
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x expect_exit 0 "$WORK/b.kexe" --fallback 20 \
		--check || return 1
	! grep -q watchdog "$log" || fail "armed: $(tr '\n' '|' <"$log")"
	# no --fallback: never armed
	KEXE_FAKE_LOG=$log KEXE_FAKE_WATCHDOG=x expect_exit 0 "$WORK/b.kexe" --foreground || return 1
	! grep -q watchdog "$log" || fail "armed without --fallback: $(tr '\n' '|' <"$log")"
}

# check_line HOST ARGS...: the fallback line of --check on HOST.
check_line() {
	local host=$1
	shift
	KEXE_FAKE_ROOT=$host "$WORK/b.kexe" --check "$@" | grep '  fallback ' ||
		fail "no fallback line"
}

test_check_says_what_covers_a_failed_jump() {
	local host line
	pack_fake "$WORK/b.kexe" || fail pack
	host=$(watchdog_host "" -1)
	line=$(check_line "$host" --fallback 20) || return 1
	[[ "$line" == "WARN  fallback    no hardware watchdog (/sys/class/watchdog has none): panic=20 resets a new kernel that panics, but a hang is not covered; see docs/FALLBACK.md" ]] ||
		fail "no watchdog: $line"
	line=$(check_line "$host") || return 1
	[[ "$line" == "pass  fallback    off: a jump that fails leaves this host down until someone resets it; --fallback SECONDS would reset a panic of the new kernel, not a hang (no hardware watchdog)" ]] ||
		fail "no watchdog, no --fallback: $line"
	host=$(watchdog_host "Software Watchdog" 0)
	line=$(check_line "$host" --fallback 20) || return 1
	[[ "$line" == "WARN  fallback    the only watchdog is softdog, which ends with this kernel: "* ]] ||
		fail "softdog: $line"
	host=$(watchdog_host "i6300ESB timer" -1)
	line=$(check_line "$host" --fallback 20) || return 1
	[[ "$line" == "WARN  fallback    watchdog i6300ESB timer is armed for 20 s, but this kernel stops it at the kexec (watchdog.stop_on_reboot -1: each driver decides; i6300esb and iTCO_wdt stop theirs): panic=20 covers a panic, a hang is not covered; boot this host with watchdog.stop_on_reboot=0 (or reload the watchdog module with stop_on_reboot=0)" ]] ||
		fail "stop on reboot: $line"
	host=$(watchdog_host "i6300ESB timer" 0)
	line=$(check_line "$host" --fallback 20) || return 1
	[[ "$line" == "pass  fallback    watchdog i6300ESB timer is armed for 20 s just before the jump and runs on through it (watchdog.stop_on_reboot=0): a new system that does not take it over is reset into this one; panic=20 covers a panic" ]] ||
		fail "keeps running: $line"
	KEXE_FAKE_ROOT=$host expect_exit 0 "$WORK/b.kexe" --check --fallback 20 || return 1
	grep -q '^verdict: ready to load' "$WORK/out" || fail "a warning should not stop: $(cat "$WORK/out")"
	# nowayout: the magic close cannot take it back, so a failed reboot still resets
	echo 1 >"$host/sys/class/watchdog/watchdog0/nowayout"
	line=$(check_line "$host" --fallback 20) || return 1
	[[ "$line" == "WARN  fallback    watchdog i6300ESB timer is armed for 20 s just before"*"panic=20 covers a panic; it has nowayout: once armed nothing stops it, so even a failed reboot ends in a reset" ]] ||
		fail "nowayout: $line"
}

test_json_carries_the_watchdog_and_the_fallback() {
	local host
	pack_fake "$WORK/b.kexe" || fail pack
	host=$(watchdog_host "i6300ESB timer" 0)
	KEXE_FAKE_ROOT=$host expect_exit 0 "$WORK/b.kexe" --check --json --fallback 20 || return 1
	grep -qF '"fallback":20,"watchdog":{"identity":"i6300ESB timer","softdog":false,"nowayout":false,"stop_on_reboot":0}' \
		"$WORK/out" || fail "check: $(cat "$WORK/out")"
	host=$(watchdog_host "" -1)
	KEXE_FAKE_ROOT=$host expect_exit 0 "$WORK/b.kexe" --check --json || return 1
	grep -qF '"fallback":null,"watchdog":null' "$WORK/out" || fail "check: $(cat "$WORK/out")"
	host=$(watchdog_host "i6300ESB timer" 0)
	KEXE_FAKE_ROOT=$host KEXE_FAKE_WATCHDOG=x expect_exit 0 "$WORK/b.kexe" --json --fallback 20 \
		--foreground || return 1
	grep '"event":"handover"' "$WORK/out" |
		grep -qF '"fallback":{"seconds":20,"watchdog":"i6300ESB timer"}' ||
		fail "handover: $(cat "$WORK/out")"
	KEXE_FAKE_ROOT=$host expect_exit 0 "$WORK/b.kexe" --json --foreground || return 1
	grep '"event":"handover"' "$WORK/out" | grep -qF '"fallback":null' ||
		fail "handover without --fallback: $(cat "$WORK/out")"
}
