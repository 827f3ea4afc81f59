# Hardening of what the binaries write on the host (sourced by tests/cli/run.sh): extraction
# into a fresh directory only, staging files no other user can name in advance, and a full
# file system reported as exit 7 instead of a SIGBUS.

# can_mount: 0 when this test may mount in a private mount namespace; else says why not.
can_mount() {
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
		unshare --mount --propagation private true 2>/dev/null; then
		return 0
	fi
	echo "skipped: needs root and unshare --mount"
	return 1
}

# in_small_tmpfs DIR CMD...: runs CMD in a private mount namespace with a 1 MiB tmpfs on DIR,
# then lists DIR on stderr ("left: ..."); exit 99 when mounting is refused.
in_small_tmpfs() {
	unshare --mount --propagation private sh -c \
		'd=$1; shift; mount -t tmpfs -o size=1m tmpfs "$d" || exit 99
		"$@"; rc=$?; echo "left: $(ls -A "$d")" >&2; exit $rc' sh "$@"
}

test_extract_refuses_a_symlinked_dir() {
	pack_fake "$WORK/b.kexe" || fail pack
	mkdir -p "$WORK/elsewhere"
	ln -s "$WORK/elsewhere" "$WORK/link"
	expect_exit 2 "$KEXE" extract "$WORK/b.kexe" "$WORK/link" || return 1
	err_has "cannot extract into $WORK/link: it already exists as a symbolic link" || return 1
	expect_exit 2 "$WORK/b.kexe" --extract "$WORK/link" || return 1
	err_has "name a directory that does not exist yet" || return 1
	[ -z "$(ls -A "$WORK/elsewhere")" ] || fail "written through the link: $(ls "$WORK/elsewhere")"
}

test_extract_refuses_an_existing_dir() {
	pack_fake "$WORK/b.kexe" || fail pack
	mkdir -p "$WORK/there"
	ln -s "$WORK/victim" "$WORK/there/kernel"
	expect_exit 2 "$KEXE" extract "$WORK/b.kexe" "$WORK/there" || return 1
	err_has "cannot extract into $WORK/there: it already exists;" || return 1
	expect_exit 2 "$WORK/b.kexe" --extract "$WORK/there" || return 1
	[ "$(ls -A "$WORK/there")" = kernel ] || fail "written into it: $(ls "$WORK/there")"
	[ ! -e "$WORK/victim" ] || fail "written through the planted kernel link"
}

test_extract_into_a_full_file_system_is_exit_7() {
	can_mount || return 0
	pack_fake "$WORK/b.kexe" || fail pack
	mkdir -p "$WORK/small"
	# the 2 MB initrd-0 does not fit into 1 MiB
	local rc=0
	in_small_tmpfs "$WORK/small" "$KEXE" extract "$WORK/b.kexe" "$WORK/small/x" \
		>"$WORK/out" 2>"$WORK/err" || rc=$?
	[ "$rc" != 99 ] || { echo "skipped: mount -t tmpfs refused here" && return 0; }
	[ "$rc" = 7 ] || fail "kexe extract into a full tmpfs exited $rc: $(head -c 300 "$WORK/err")"
	err_has "no room for a 2000001-byte output file: No space left on device; free space" ||
		return 1
	err_has "left: " && ! grep -q "left: ." "$WORK/err" || fail "partial output left behind"
	rc=0
	in_small_tmpfs "$WORK/small" "$WORK/b.kexe" --extract "$WORK/small/x" \
		>"$WORK/out" 2>"$WORK/err" || rc=$?
	[ "$rc" = 7 ] || fail "bundle --extract into a full tmpfs exited $rc: $(cat "$WORK/err")"
	[ "$(grep -c '^kexe: ' "$WORK/err")" = 1 ] || fail "not one line: $(cat "$WORK/err")"
}
