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

# disk_stage_dir NAME: a new directory under $BUILD for --stage-dir (staging refuses tmpfs).
disk_stage_dir() {
	local dir fs
	dir=$(cd "$BUILD" && pwd)/$1.$$
	mkdir -p "$dir"
	fs=$(stat -f -c %T "$dir")
	case $fs in tmpfs | ramfs)
		rm -rf "$dir"
		fail "$BUILD is on $fs; staging tests need a disk-backed build directory"
		;;
	esac
	echo "$dir"
}

# plant_and_stage DIR KIND CMD...: in a shell whose pid the loader keeps (exec), plants KIND
# (a file, or a link to DIR/../planted-target) at every name the loader used to stage under,
# DIR/.kexe-stage-PID-FD, then runs CMD with --syscall file --stage-dir DIR.
plant_and_stage() {
	sh -c 'dir=$1 kind=$2; shift 2
		for fd in $(seq 0 63); do
			if [ "$kind" = link ]; then ln -s "$dir/../planted-target" "$dir/.kexe-stage-$$-$fd"
			else echo planted >"$dir/.kexe-stage-$$-$fd"; fi
		done
		exec "$@" --syscall file --stage-dir "$dir"' sh "$@"
}

# staged_right DUMP LOG [PATTERN]: the bundle's kernel and initrds were loaded from staged
# files, named as PATTERN says in the seam's log (unlinked files in the stage dir).
staged_right() {
	err_has "staged on disk" || return 1
	grep -qE "^kexec_file_load files ${3:-kernel=[^ ]* \(deleted\) initrd=[^ ]* \(deleted\)\$}" \
		"$2" || fail "not loaded from unlinked files: $(cat "$2")"
	cmp "$1/kernel" "$IN/bzImage" || fail "the loaded kernel is not the bundle's"
	cmp "$1/initrd" <(cat "$IN/initrd-a"; printf '\0\0\0'; cat "$IN/initrd-b") ||
		fail "the loaded initrd is not the bundle's"
}

test_stage_ignores_files_planted_at_stage_names() {
	local sdir dump=$WORK/planted-files
	sdir=$(disk_stage_dir kexe-cli-plant)
	trap "rm -rf '$sdir'" EXIT
	mkdir -p "$dump"
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$WORK/pf.log \
		expect_exit 0 plant_and_stage "$sdir" file "$WORK/b.kexe" || return 1
	[ "$(cat "$sdir"/.kexe-stage-* | sort -u)" = planted ] || fail "a planted file was written"
	[ -z "$(ls -A "$sdir" | grep -v '^\.kexe-stage-[0-9]*-[0-9]*$')" ] ||
		fail "staging left names behind: $(ls -A "$sdir")"
	staged_right "$dump" "$WORK/pf.log"
}

test_stage_follows_no_symlink_planted_at_stage_names() {
	local sdir dump=$WORK/planted-links target
	sdir=$(disk_stage_dir kexe-cli-links)
	target=${sdir%/*}/planted-target
	trap "rm -rf '$sdir' '$target'" EXIT
	mkdir -p "$dump"
	cp "$IN/extra" "$target"
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$WORK/pl.log \
		expect_exit 0 plant_and_stage "$sdir" link "$WORK/b.kexe" || return 1
	cmp "$target" "$IN/extra" || fail "written through a planted link"
	staged_right "$dump" "$WORK/pl.log"
}

# Without /proc the read-only reopen goes through a random name linked for a moment.
test_stage_without_proc_follows_no_planted_symlink() {
	local sdir dump=$WORK/planted-noproc target
	can_mount || return 0
	sdir=$(disk_stage_dir kexe-cli-noproc)
	target=${sdir%/*}/planted-target
	trap "rm -rf '$sdir' '$target'" EXIT
	mkdir -p "$dump"
	cp "$IN/extra" "$target"
	pack_fake "$WORK/b.kexe" || fail pack
	KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$WORK/np.log expect_exit 0 \
		unshare --mount --propagation private bash -c \
		"umount -l /proc && ! test -e /proc/self && $(declare -f plant_and_stage) &&
		 plant_and_stage \"\$@\"" sh "$sdir" link "$WORK/b.kexe" || return 1
	[ -z "$(ls -A "$sdir" | grep -v '^\.kexe-stage-[0-9]*-[0-9]*$')" ] ||
		fail "staging left names behind: $(ls -A "$sdir")"
	cmp "$target" "$IN/extra" || fail "written through a planted link"
	# no /proc: the seam cannot name the files
	staged_right "$dump" "$WORK/np.log" "kernel=- initrd=-"
}
