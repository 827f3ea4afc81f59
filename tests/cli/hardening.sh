# Hardening of what the binaries write on the host (sourced by tests/cli/run.sh): extraction
# into a fresh directory only, staging files no other user can name in advance, and a full
# file system reported as exit 7 instead of a SIGBUS.

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
