# The direct reboot's file systems (sourced by tests/cli/run.sh): before it, every read-write
# block-device file system is remounted read-only or, when a writer keeps it busy (journald on
# a Debian host), frozen, so none needs journal recovery in the next system; when the reboot
# fails, everything is thawed and remounted read-write again. The fake seam's remount and freeze
# only log (KEXE_FAKE_REMOUNT_ERRNO, KEXE_FAKE_FREEZE_ERRNO make them fail).

# mounts_host: a copy of the fake host (pid 1 not systemd: the direct path) with two block
# file systems, one read-only one and a tmpfs; prints its directory.
mounts_host() {
	local dir=$WORK/mounts-host
	rm -rf "$dir"
	cp -r "$HOSTROOT" "$dir"
	printf '%s\n' '/dev/vda1 / ext4 rw,relatime 0 0' 'proc /proc proc rw 0 0' \
		'tmpfs /run tmpfs rw,nosuid 0 0' '/dev/vda2 /var/my\040log ext4 rw 0 0' \
		'/dev/vdb /mnt/ro ext4 ro 0 0' >"$dir/proc/mounts"
	echo "$dir"
}

# seam_log_has LOG TEXT: TEXT (several lines with \n) appears in LOG as consecutive lines.
seam_log_has() {
	local log want
	log=$(cat "$1") want=$(printf '%b' "$2")
	[[ "$log" == *"$want"* ]] || fail "seam log lacks '$2': $(tr '\n' '|' <"$1")"
}

test_busy_filesystems_are_frozen_before_the_direct_reboot_and_thawed_when_it_fails() {
	local host log=$WORK/freeze.log
	host=$(mounts_host)
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_ROOT=$host KEXE_FAKE_REMOUNT_ERRNO=16 KEXE_FAKE_LOG=$log \
		expect_exit 0 "$WORK/b.kexe" --foreground || return 1
	# innermost first; the note is out before anything is frozen (stderr may be on it)
	seam_log_has "$log" 'kmsg kexe: rebooting into the loaded kernel now\nremount /var/my log ro failed\nfreeze /var/my log\n'
	seam_log_has "$log" 'freeze /var/my log\nkmsg kexe: /var/my log cannot be remounted read-only (Resource busy); froze it, clean on disk\nremount / ro failed\nfreeze /\n'
	seam_log_has "$log" 'freeze /\nkmsg kexe: / cannot be remounted read-only (Resource busy); froze it, clean on disk\nreboot\n'
	! grep -q 'thaw\|/mnt/ro\|/run\|/proc' "$log" || fail "touched more: $(tr '\n' '|' <"$log")"
	! grep -q 'not clean' "$WORK/err" || fail "said unclean: $(cat "$WORK/err")"
	# the reboot fails: thawed in reverse order, the system goes on as it was
	rm -f "$log"
	KEXE_FAKE_ROOT=$host KEXE_FAKE_REMOUNT_ERRNO=16 KEXE_FAKE_REBOOT_ERRNO=5 KEXE_FAKE_LOG=$log \
		expect_exit 8 "$WORK/b.kexe" --foreground || return 1
	seam_log_has "$log" 'reboot\nthaw /\nthaw /var/my log\nkexec_file_load unload\n'
	! grep -q 'remount .* rw' "$log" || fail "remounted read-write what it froze: $(tr '\n' '|' <"$log")"
	err_has "reboot into the loaded kernel failed"
}

test_a_filesystem_that_cannot_be_made_clean_is_named_and_the_reboot_goes_on() {
	local host log=$WORK/unclean.log
	host=$(mounts_host)
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_ROOT=$host KEXE_FAKE_REMOUNT_ERRNO=16 KEXE_FAKE_FREEZE_ERRNO=95 KEXE_FAKE_LOG=$log \
		expect_exit 0 "$WORK/b.kexe" --force --foreground || return 1
	local want="/ is not clean on disk for the reboot (remount read-only: Resource busy; freeze: Not supported): the next system may have to recover or check it"
	err_has "kexe: $want" || return 1
	err_has "kexe: /var/my log is not clean on disk" || return 1
	seam_log_has "$log" "remount / ro failed\nfreeze / failed\nkmsg kexe: $want\nreboot\n"
	# nothing was changed, so nothing is undone when the reboot fails
	rm -f "$log"
	KEXE_FAKE_ROOT=$host KEXE_FAKE_REMOUNT_ERRNO=16 KEXE_FAKE_FREEZE_ERRNO=95 \
		KEXE_FAKE_REBOOT_ERRNO=5 KEXE_FAKE_LOG=$log expect_exit 8 "$WORK/b.kexe" --foreground ||
		return 1
	! grep -q '^thaw\|^remount .* rw' "$log" || fail "undid what it did not do: $(tr '\n' '|' <"$log")"
	# EBUSY from FIFREEZE: frozen already (by an admin, or another mount of it): clean, not ours
	rm -f "$log"
	KEXE_FAKE_ROOT=$host KEXE_FAKE_REMOUNT_ERRNO=16 KEXE_FAKE_FREEZE_ERRNO=16 \
		KEXE_FAKE_REBOOT_ERRNO=5 KEXE_FAKE_LOG=$log expect_exit 8 "$WORK/b.kexe" --foreground ||
		return 1
	! grep -q 'not clean' "$WORK/err" || fail "said unclean: $(cat "$WORK/err")"
	! grep -q '^thaw' "$log" || fail "thawed what it did not freeze: $(tr '\n' '|' <"$log")"
}

test_filesystems_remounted_read_only_are_not_frozen() {
	local host log=$WORK/ro.log
	host=$(mounts_host)
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_ROOT=$host KEXE_FAKE_REBOOT_ERRNO=5 KEXE_FAKE_LOG=$log \
		expect_exit 8 "$WORK/b.kexe" --foreground || return 1
	seam_log_has "$log" 'remount /var/my log ro\nremount / ro\nreboot\nremount / rw\nremount /var/my log rw\n'
	! grep -q 'freeze\|thaw' "$log" || fail "froze: $(tr '\n' '|' <"$log")"
}
