# The commands kexe pack prints (--print-oneliners) and the docs show, in the CLI suite (sourced
# by tests/cli/run.sh): every one must be safe to paste, for any file name, and the ways that
# stream a binary over ssh must not use a fixed name in a shared directory. ssh, scp, curl,
# wget, sha256sum and sh are stand-ins here that record what they were given; only bundles
# with the fake loader run.

# oneliner_stubs DIR LOG: stand-ins for the commands the printed lines call, in DIR. Each
# appends "NAME" and then one "[ARG]" line per argument to LOG; sha256sum, sh and ssh also
# record what came on their stdin ("stdin=..."; its size, for sha256sum its text). The ssh
# stand-in parses the remote command as a remote shell would (eval "set -- ...") and records
# the words, except for the streaming command, which it records as one string.
oneliner_stubs() {
	local dir=$1 log=$2 t
	mkdir -p "$dir"
	for t in curl wget scp kexe sh sha256sum ssh; do
		cat >"$dir/$t" <<EOF
#!/bin/sh
log='$log'
printf '%s\n' "$t" >>"\$log"
for a; do printf '[%s]\n' "\$a" >>"\$log"; done
case $t in
sha256sum) [ "\${1:-}" != -c ] || printf 'stdin=%s\n' "\$(cat)" >>"\$log" ;;
sh) printf 'stdin=%s\n' "\$(wc -c | tr -d ' ')" >>"\$log" ;;
ssh)
	printf 'stdin=%s\n' "\$(wc -c | tr -d ' ')" >>"\$log"
	shift
	case "\$*" in
	*mktemp*) printf 'remote=%s\n' "\$*" >>"\$log" ;;
	*)
		eval "set -- \$*"
		for a; do printf 'remote[%s]\n' "\$a" >>"\$log"; done
		;;
	esac
	;;
esac
exit 0
EOF
		chmod +x "$dir/$t"
	done
	ln -sf "$(command -v touch)" "$dir/touch" # what a $(touch ...) in a name would run
	ln -sf "$(command -v wc)" "$dir/wc"
	ln -sf "$(command -v tr)" "$dir/tr"
	ln -sf "$(command -v cat)" "$dir/cat"
}

# printed_commands FILE: the commands in kexe's one-liner output, one a line, without labels.
printed_commands() {
	sed -n -e 's/^  for curl | sh, make the shell form: //p' \
		-e '/^  bundle options go/d' -e 's/^  [a-z, |]*: *//p' "$1"
}

# Names that are shell syntax when pasted unquoted, or options, or scp hosts.
test_printed_commands_are_safe_for_any_file_name() {
	local d=$WORK/names stubs=$WORK/names-bin log name cmd sh n=0 file sum kind base
	local -a names=('x$(touch pwned).sh' 'x$(id).kexe' "a'b.kexe" "'q'.sh" 'with space.kexe'
		'x`touch pwned2`.kexe' '-dash.sh' 'a:b.kexe' 'back\slash.sh' '"dq" $HOME.sh'
		'semi;colon&amp.kexe')
	local kexe fake
	kexe=$(realpath "$KEXE") fake=$(realpath "$FAKE")
	mkdir -p "$d"
	log=$WORK/names.log
	oneliner_stubs "$stubs" "$log"
	for name in "${names[@]}"; do
		case $name in *.sh) kind=(--format sh) ;; *) kind=() ;; esac
		(cd "$d" && "$kexe" pack --stub "$fake" --kernel "$IN/bzImage" --cmdline x \
			"${kind[@]}" --url http://example.org/b.sh --print-oneliners -o "./$name" \
			>"$WORK/names.out") || fail "pack -o $name"
		file=$d/$name
		[ -f "$file" ] || fail "$name was not written"
		# ./NAME as printed, and NAME: the commands name the file as given with -o
		case $name in -* | *:*) base=./$name ;; *) base=$name ;; esac
		printed_commands "$WORK/names.out" >"$WORK/names.cmds"
		[ "$(wc -l <"$WORK/names.cmds")" -ge 5 ] ||
			fail "$name: few commands: $(cat "$WORK/names.out")"
		while IFS= read -r cmd; do
			for sh in dash bash "busybox ash"; do
				$sh -n -c "$cmd" || fail "$sh -n: $name: $cmd"
			done
			rm -f "$log"
			(cd "$d" && PATH=$stubs /bin/dash -c "$cmd") >/dev/null 2>&1 ||
				fail "$name: the command failed: $cmd"
			[ ! -e "$d/pwned" ] && [ ! -e "$d/pwned2" ] && [ ! -e "$stubs/pwned" ] ||
				fail "$name: pasting ran a command substitution: $cmd"
			! grep -q '^id$\|^\[uid=' "$log" || fail "$name: ran id: $cmd"
			case $cmd in
			scp\ *)
				grep -qxF "[./$name]" "$log" || fail "$name: scp got $(cat "$log")"
				grep -qxF "remote[./$name]" "$log" || grep -qxF "remote[$base]" "$log" ||
					fail "$name: the remote shell got $(grep remote "$log")"
				;;
			"ssh root@HOST '"*)
				grep -qxF "stdin=$(stat -c %s "$file")" "$log" ||
					fail "$name: ssh did not get the file: $(cat "$log")"
				grep -q '^remote=d=$(mktemp -d) && ' "$log" ||
					fail "$name: remote command $(grep remote "$log")"
				;;
			"ssh root@HOST sh -s"*)
				grep -qxF "stdin=$(stat -c %s "$file")" "$log" ||
					fail "$name: ssh did not get the file: $(cat "$log")"
				;;
			sha256sum\ *) grep -qxF "[$base]" "$log" || fail "$name: $(cat "$log")" ;;
			"curl -fsSLo "*)
				grep -qxF "[$base]" "$log" || fail "$name: curl -o got $(cat "$log")"
				sum=$(grep -o '[0-9a-f]\{64\}' <<<"$cmd")
				grep -qxF "stdin=$sum  $name" "$log" ||
					fail "$name: sha256sum -c read $(grep stdin "$log")"
				grep -qxF "[$base]" <(sed -n '/^sh$/,$p' "$log") ||
					fail "$name: sh got $(cat "$log")"
				;;
			kexe\ wrap*) grep -qxF "[./$name]" "$log" || fail "$name: $(cat "$log")" ;;
			esac
			n=$((n + 1))
		done <"$WORK/names.cmds"
	done
	# A newline in the name: no command is printed at all (a pasted line would end there).
	(cd "$d" && "$kexe" pack --stub "$fake" --kernel "$IN/bzImage" --cmdline x \
		--print-oneliners -o $'new\nline.kexe' >"$WORK/names.out") || fail "pack newline"
	grep -q 'not printed: the file name has a control character' "$WORK/names.out" ||
		fail "newline name: $(cat "$WORK/names.out")"
	[ -z "$(printed_commands "$WORK/names.out")" ] ||
		fail "commands printed for a name with a newline: $(cat "$WORK/names.out")"
	echo "$n printed commands for ${#names[@]} hostile names: each parses, names its file, runs nothing else"
}

# The commands that stream the binary over ssh into a file on the host and run it, as README.md,
# docs/ and kexe pack show them: each makes a fresh private directory (no fixed name in /tmp,
# where another user could put or swap the file), passes the bundle's exit code on and removes
# the directory. Each runs here with ssh standing in for a local shell (dash, bash, busybox ash).
test_streaming_lines_use_a_fresh_private_directory() {
	local d=$WORK/stream bin=$WORK/stream-bin tmp=$WORK/stream-tmp cmd remote sh n=0 rc want
	mkdir -p "$d" "$bin" "$tmp"
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --initrd "$IN/initrd-a" \
		--initrd "$IN/initrd-b" --cmdline "$CMDLINE" -o "$d/boot.kexe" --print-oneliners \
		>"$WORK/stream.out" || fail pack
	{
		grep -h -o "ssh root@[A-Za-z]* '[^']*cat >[^']*' < [^ \`]*" README.md docs/*.md docs/*.1
		sed -n 's/^  stream over ssh: *//p' "$WORK/stream.out"
	} >"$WORK/stream.cmds"
	[ "$(wc -l <"$WORK/stream.cmds")" -ge 4 ] || fail "found only: $(cat "$WORK/stream.cmds")"
	# no fixed name anywhere: a cat or chmod into /tmp (also in what the packer prints)
	! grep -rn 'cat > */tmp\|chmod [+0-9a-z]* */tmp\|/tmp/b\b' README.md docs packer scripts \
		--exclude=SECURITY.md || fail "a fixed /tmp name is still shown"
	cat >"$bin/ssh" <<'SSH'
#!/bin/sh
shift # root@HOST; ssh joins the rest with spaces for the remote shell
exec $REMOTE_SH -c "$*"
SSH
	chmod +x "$bin/ssh"
	while IFS= read -r cmd; do
		remote=${cmd#*\'} remote=${remote%\'*} # what runs on the host
		grep -q '/tmp' <<<"$remote" && fail "a fixed /tmp name: $cmd"
		grep -q '^d=$(mktemp -d) && cat > "$d/b" && ' <<<"$remote" || fail "no mktemp -d: $cmd"
		for sh in dash bash "busybox ash"; do
			mkdir -p "$WORK/sdump"
			rm -f "$WORK/sdump"/*
			(cd "$d" && REMOTE_SH=$sh TMPDIR=$tmp PATH=$bin:$PATH KEXE_FAKE_DUMP=$WORK/sdump \
				sh -c "$cmd") >"$WORK/out" 2>"$WORK/err"
			rc=$?
			[ "$rc" = 0 ] || fail "$sh: exit $rc: $cmd: $(cat "$WORK/err")"
			case $cmd in
			*--dry-run*) err_has "nothing was loaded" ;;
			*) cmp -s "$WORK/sdump/kernel" "$IN/bzImage" || fail "$sh: not loaded: $cmd" ;;
			esac
			[ -z "$(ls -A "$tmp")" ] || fail "$sh: left behind: $(ls -A "$tmp")"
			# the bundle's exit code passes through (4: kexec_file_load refused, EPERM)
			(cd "$d" && REMOTE_SH=$sh TMPDIR=$tmp PATH=$bin:$PATH KEXE_FAKE_LOAD_ERRNO=1 \
				sh -c "$cmd") >"$WORK/out" 2>"$WORK/err"
			rc=$? want=4
			case $cmd in *--dry-run*) want=0 ;; esac
			[ "$rc" = $want ] || fail "$sh: exit $rc, want $want: $cmd: $(cat "$WORK/err")"
			[ -z "$(ls -A "$tmp")" ] || fail "$sh: left behind: $(ls -A "$tmp")"
			n=$((n + 1))
		done
	done <"$WORK/stream.cmds"
	# where mktemp fails, nothing runs and the command fails
	cmd=$(tail -n 1 "$WORK/stream.cmds")
	(cd "$d" && REMOTE_SH=dash TMPDIR=$WORK/missing PATH=$bin:$PATH KEXE_FAKE_LOG=$WORK/slog \
		sh -c "$cmd") >"$WORK/out" 2>"$WORK/err" && fail "ran without a directory"
	[ ! -e "$WORK/slog" ] || fail "the seam was called without a directory"
	echo "$n runs of $(wc -l <"$WORK/stream.cmds") streaming commands"
}
