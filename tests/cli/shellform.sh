# The shell form's choice between "run as a file" and "piped", and the loader's SHA-256 check
# of a bundle run as a file, in the CLI suite (sourced by tests/cli/run.sh). A hostile bundle
# here is a valid bundle of the same size with another command line, behind the script of the
# good one: where only the size can be compared (no sha256sum), only the loader's own check of
# the whole bundle's SHA-256 tells them apart.

# shellform_setup: $WORK/sf/good.sh (the shell form), evil.kexe (same size, another command
# line), evil.sh (good.sh's script and padding, then evil.kexe) and a PATH with the shell
# form's tools but no sha256sum and no busybox, in $WORK/sf/bin.
shellform_setup() {
	local sf=$WORK/sf t header
	mkdir -p "$sf/bin"
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --cmdline "console=ttyS0 good" \
		-o "$sf/good.kexe" >/dev/null || fail pack
	"$KEXE" wrap "$sf/good.kexe" -o "$sf/good.sh" >/dev/null || fail wrap
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --cmdline "console=ttyS0 evil" \
		-o "$sf/evil.kexe" >/dev/null || fail pack
	[ "$(stat -c %s "$sf/good.kexe")" = "$(stat -c %s "$sf/evil.kexe")" ] ||
		fail "the two bundles differ in size"
	header=$(($(stat -c %s "$sf/good.sh") - $(stat -c %s "$sf/good.kexe")))
	{
		head -c "$header" "$sf/good.sh"
		cat "$sf/evil.kexe"
	} >"$sf/evil.sh"
	for t in mktemp mkdir rm chmod dd cat wc df uname printf; do
		ln -sf "$(command -v "$t")" "$sf/bin/$t"
	done
}

# Piped into a shell called sh (bash, dash, busybox ash), $0 is "sh": a file of that name in
# the current directory, here a shell form with the hostile bundle, must not be taken for the
# script; the bundle from the pipe runs. Likewise for files named bash, dash, ash, busybox.
test_piped_shell_form_never_runs_a_local_file_named_like_the_shell() {
	local sf=$WORK/sf sh name cwd rc
	shellform_setup
	cwd=$sf/cwd
	mkdir -p "$cwd" "$sf/dump"
	for name in sh bash dash ash busybox; do
		cp "$sf/evil.sh" "$cwd/$name"
		chmod +x "$cwd/$name"
	done
	for sh in dash bash busybox; do
		ln -sf "$(command -v "$sh")" "$sf/bin/sh"
		for name in sh "${sh/busybox/ash}"; do # the shell called sh, and by its own name
			rm -f "$sf/dump"/*
			(cd "$cwd" && cat "$sf/good.sh" | PATH=$sf/bin KEXE_FAKE_DUMP=$sf/dump \
				exec -a "$name" "$sf/bin/sh" -s) >"$WORK/out" 2>"$WORK/err" && rc=0 || rc=$?
			[ "$rc" = 0 ] || fail "$sh as $name: exit $rc: $(cat "$WORK/err")"
			[ "$(cat "$sf/dump/cmdline")" = "console=ttyS0 good" ] ||
				fail "$sh as $name ran ./$name: $(cat "$sf/dump/cmdline")"
		done
	done
}

# Run as a file where the script cannot compute a SHA-256 (no sha256sum, no busybox), a bundle
# of the right size but other bytes is refused by the loader (KEXE_FILE_SHA256), before it
# touches anything.
test_file_mode_bundle_of_the_same_size_is_checked_by_the_loader() {
	local sf=$WORK/sf sh rc want
	shellform_setup
	want=$(sha256sum <"$sf/good.kexe" | cut -d' ' -f1)
	for sh in "$(command -v dash)" "$(command -v bash)" "$(command -v busybox) ash"; do
		rm -f "$WORK/seam.log"
		PATH=$sf/bin KEXE_FAKE_LOG=$WORK/seam.log $sh "$sf/evil.sh" >"$WORK/out" 2>"$WORK/err" &&
			rc=0 || rc=$?
		[ "$rc" = 3 ] || fail "$sh: exit $rc: $(cat "$WORK/err")"
		err_has "kexe: the bundle's SHA-256 is $(sha256sum <"$sf/evil.kexe" | cut -d' ' -f1), not $want" ||
			return 1
		[ ! -e "$WORK/seam.log" ] || fail "$sh: the seam was called: $(cat "$WORK/seam.log")"
		# the good one runs, also without sha256sum
		PATH=$sf/bin KEXE_FAKE_DUMP=$WORK $sh "$sf/good.sh" >"$WORK/out" 2>"$WORK/err" ||
			fail "$sh: good.sh: $(cat "$WORK/err")"
		[ "$(cat "$WORK/cmdline")" = "console=ttyS0 good" ] || fail "$sh: $(cat "$WORK/cmdline")"
	done
	# the variable is checked strictly, and only the shell form sets it
	KEXE_FILE_SHA256=abc expect_exit 2 "$sf/good.kexe" --info || return 1
	err_has "KEXE_FILE_SHA256 is not a SHA-256" || return 1
	KEXE_FILE_SHA256=$want expect_exit 0 "$sf/good.kexe" --info
}

# The script part of the shell form (up to its last line) is POSIX sh: sh -n under each shell,
# and shellcheck when it is installed.
test_shell_form_script_passes_sh_n_and_shellcheck() {
	local sf=$WORK/sf n sh
	shellform_setup
	n=$(grep -a -n -m1 '^{ kexe_self=' "$sf/good.sh" | cut -d: -f1)
	head -n "$n" "$sf/good.sh" >"$sf/script.sh"
	for sh in dash bash "busybox ash"; do
		$sh -n "$sf/script.sh" || fail "$sh -n"
	done
	if command -v shellcheck >/dev/null; then
		shellcheck -s sh "$sf/script.sh" || fail "shellcheck finds problems in the shell form"
	fi
	return 0
}
