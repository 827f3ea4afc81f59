#!/usr/bin/env bash
# Host tests of the one-liners (docs/ONE-LINERS.md): the shell form of a bundle (kexe pack
# --format sh, kexe wrap) run under bash, dash and busybox ash as a file and piped, cut-off
# downloads, noexec temporary directories, the stdin stream over "ssh", the printed
# one-liners and scripts/kexe-boot.sh, served by busybox httpd on 127.0.0.1.
#
# Safety: bundles that are run for real carry build/stub-fake (the fake seam records, it never
# loads or reboots); bundles with the real stub (build/stub, the packer's default) are only
# ever run with --dry-run.
set -u
cd "$(dirname "$0")/../.."
# A bundle run from a terminal or over ssh detaches; these tests compare foreground runs.
exec </dev/null
unset SSH_CONNECTION SSH_TTY
ROOT=$PWD
BUILD=${BUILD:-build}
KEXE=$ROOT/$BUILD/kexe
FAKE=$ROOT/$BUILD/stub-fake
MKIMAGE=$ROOT/$BUILD/mkimage
# Not under /tmp: the noexec tests mount over /tmp, /dev/shm and /run in a private namespace.
WORK=$(mktemp -d "$ROOT/$BUILD/oneliner.XXXXXX")
LOGDIR=$WORK/logs
mkdir -p "$LOGDIR"
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT # KEEP_WORK=1 keeps it
. tests/lib.sh
# run_tests runs each test as `if ( set -e; test )`, and bash ignores set -e in a condition:
# a failed check would not stop the test. Here fail ends the test (its subshell) at once.
fail() {
	echo "FAILURE: $*"
	exit 1
}

# The shells every test runs the shell form with; other POSIX shells join when installed.
SHELLS=(bash dash "busybox ash")
for s in mksh zsh yash ksh93; do # (posh has no -s)
	command -v "$s" >/dev/null && SHELLS+=("$s")
done

HOSTROOT=$WORK/host
fake_host "$HOSTROOT"
unset KEXE_SHA256 KEXE_FAKE_LOG KEXE_FAKE_DUMP

# Every test unpacks into this TMPDIR, which must be empty again afterwards.
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

IN=$WORK/in
mkdir -p "$IN"
"$MKIMAGE" bzimage "$IN/bzImage" 300000
"$MKIMAGE" data "$IN/initrd-a" 2000001 1 text
"$MKIMAGE" data "$IN/initrd-b" 700003 2
CMDLINE="console=ttyS0 init=/init quiet"
INPUTS=(--kernel "$IN/bzImage" --initrd "$IN/initrd-a" --initrd "$IN/initrd-b" --cmdline "$CMDLINE")
B=$WORK/b # bundles made once: fake.kexe/fake.sh (fake seam), real.kexe/real.sh (dry-run only)
mkdir -p "$B"
"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" -o "$B/fake.kexe" >/dev/null
"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" --format sh -o "$B/fake.sh" >/dev/null
"$KEXE" pack "${INPUTS[@]}" -o "$B/real.kexe" >/dev/null
"$KEXE" pack "${INPUTS[@]}" --format sh -o "$B/real.sh" >/dev/null
ARGS=(--append a=1 --append "msg=two words") # options every run passes to the bundle

# run_way WAY SHELL SCRIPT OUTDIR [ARGS...]: runs SCRIPT under SHELL (a word list, e.g.
# "busybox ash") in one of the ways users do; OUTDIR gets out, err and rc.
run_way() {
	local way=$1 sh=$2 script=$3 o=$4
	shift 4
	mkdir -p "$o"
	code ways "$way" "$sh" "$script" "$@" >"$o/out" 2>"$o/err"
	echo "$RC" >"$o/rc"
}

ways() {
	local way=$1 sh=$2 script=$3
	shift 3
	case $way in
	file) $sh "$script" "$@" ;;
	pipe) cat "$script" | $sh -s -- "$@" ;;
	redirect) $sh -s -- "$@" <"$script" ;;          # ssh root@HOST sh -s < boot.sh
	slowpipe) slow_cat "$script" | $sh -s -- "$@" ;; # a network: many small writes
	devstdin) cat "$script" | $sh /dev/stdin "$@" ;; # like bash <(curl ...)
	*) fail "unknown way $way" ;;
	esac
}

# code CMD...: runs CMD and puts its exit code in RC.
code() {
	"$@" && RC=0 || RC=$?
}

# run_ref DIR CMD...: runs CMD with its seam dump in DIR/dump; DIR gets out, err and rc.
run_ref() {
	local d=$1
	shift
	mkdir -p "$d/dump"
	KEXE_FAKE_DUMP=$d/dump code "$@" >"$d/out" 2>"$d/err"
	echo "$RC" >"$d/rc"
}
WAYS=(file pipe redirect slowpipe devstdin)

# The first 84 KB (script, padding, marker, start of the bundle) in 700-byte writes with
# pauses, then the rest: the shell's reads return short and at changing places, as from curl.
slow_cat() {
	local i
	for ((i = 0; i < 120; i++)); do
		dd if="$1" bs=700 skip=$i count=1 status=none
		sleep 0.002
	done
	dd if="$1" bs=700 skip=120 status=none
}

# same_result REF DIR: same exit code, stdout, stderr and seam dump as the reference run.
same_result() {
	local f bad=
	for f in rc out err; do
		cmp -s "$1/$f" "$2/$f" ||
			{ echo "$2/$f: $(diff "$1/$f" "$2/$f" | head -c 300)" && bad="$bad $f"; }
	done
	if [ -d "$1/dump" ]; then
		for f in kernel initrd cmdline; do
			cmp -s "$1/dump/$f" "$2/dump/$f" || bad="$bad dump/$f"
		done
	fi
	[ -z "$bad" ] || fail "$2 differs from $1 in:$bad"
}

no_leftovers() {
	[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
}

test_shell_form_is_the_bundle_behind_an_aligned_script() {
	local size total skip
	size=$(stat -c %s "$B/fake.kexe")
	total=$(stat -c %s "$B/fake.sh")
	cmp -s <(tail -c "$size" "$B/fake.sh") "$B/fake.kexe" || fail "bundle bytes differ"
	[ $(((total - size) % 4096)) = 0 ] || fail "bundle not 4096-aligned in the script"
	skip=$(grep -a -m1 -o 'kexe_skip=[0-9]*' "$B/fake.sh")
	[ "${skip#kexe_skip=}" = $(((total - size) / 4096)) ] || fail "kexe_skip is wrong: $skip"
	[ "$(head -n 2 "$B/fake.sh")" = $'#!/bin/sh\n# kexe-sh 1' ] || fail "header lines"
	[ -x "$B/fake.sh" ] || fail "not executable"
	mkdir -p "$WORK/again"
	"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" --format sh -o "$WORK/again/fake.sh" >/dev/null
	cmp -s "$B/fake.sh" "$WORK/again/fake.sh" || fail "not reproducible"
	# kexe wrap of the binary gives the same file (for the same output name).
	mkdir -p "$WORK/w"
	"$KEXE" wrap "$B/fake.kexe" -o "$WORK/w/fake.sh" >"$WORK/wrap.out" || fail "wrap failed"
	cmp -s "$B/fake.sh" "$WORK/w/fake.sh" || fail "wrap and pack --format sh differ"
	grep -q "^kexe: wrote $WORK/w/fake.sh: .*shell form" "$WORK/wrap.out" || fail "wrap summary"
	ls "$B" "$WORK/w" | grep -q '\.tmp\.' && fail "temporary file left behind"
	return 0
}

test_every_shell_and_way_gives_the_same_boot() {
	local ref=$WORK/ref sh way o n=0
	run_ref "$ref" "$B/fake.kexe" "${ARGS[@]}"
	[ "$(cat "$ref/rc")" = 0 ] || fail "direct run failed: $(cat "$ref/err")"
	grep -q "rebooting into" "$ref/err" || fail "reference run did not reach the seam: $(cat "$ref/err")"
	for sh in "${SHELLS[@]}"; do
		for way in "${WAYS[@]}"; do
			o=$WORK/runs/${sh// /-}-$way
			mkdir -p "$o/dump"
			KEXE_FAKE_DUMP=$o/dump run_way "$way" "$sh" "$B/fake.sh" "$o" "${ARGS[@]}"
			same_result "$ref" "$o" || return 1
			n=$((n + 1))
		done
	done
	# ./boot.sh: the kernel runs it with /bin/sh
	run_ref "$WORK/runs/exec" "$B/fake.sh" "${ARGS[@]}"
	same_result "$ref" "$o" || return 1
	no_leftovers
	echo "$n shell/way combinations and ./fake.sh gave the reference result (${SHELLS[*]})"
}

test_dry_run_of_the_real_stub_is_the_same_everywhere() {
	local ref=$WORK/dref sh way o
	run_ref "$ref" "$B/real.kexe" --dry-run "${ARGS[@]}"
	rm -rf "$ref/dump"
	grep -q "nothing was loaded" "$ref/err" || fail "reference dry run: $(cat "$ref/err")"
	for sh in "${SHELLS[@]}"; do
		for way in "${WAYS[@]}"; do
			o=$WORK/druns/${sh// /-}-$way
			run_way "$way" "$sh" "$B/real.sh" "$o" --dry-run "${ARGS[@]}"
			same_result "$ref" "$o" || return 1
		done
	done
	no_leftovers
}

test_exit_codes_pass_through() {
	local sh o
	for sh in bash dash "busybox ash"; do
		o=$WORK/ec/${sh// /-}
		KEXE_FAKE_LOAD_ERRNO=1 run_way pipe "$sh" "$B/fake.sh" "$o/4"
		[ "$(cat "$o/4/rc")" = 4 ] || fail "$sh: EPERM gave $(cat "$o/4/rc"), want 4"
		KEXE_FAKE_REBOOT_ERRNO=5 run_way file "$sh" "$B/fake.sh" "$o/8"
		[ "$(cat "$o/8/rc")" = 8 ] || fail "$sh: reboot failure gave $(cat "$o/8/rc"), want 8"
		run_way pipe "$sh" "$B/fake.sh" "$o/2" --bogus
		[ "$(cat "$o/2/rc")" = 2 ] || fail "$sh: --bogus gave $(cat "$o/2/rc"), want 2"
		grep -q "unknown option" "$o/2/err" || fail "$sh: --bogus message"
	done
	no_leftovers
}

LAST_LINE='{ kexe_self=$0; kexe_main "$@"; exit $?; }'

# script_end FILE: bytes up to and with the newline of the script's last line.
script_end() {
	echo $(($(grep -a -b -m1 -o -F -x "$LAST_LINE" "$1" | cut -d: -f1) + ${#LAST_LINE} + 1))
}

# header_end FILE: where the bundle starts (kexe_skip blocks of 4096).
header_end() {
	echo $(($(grep -a -m1 -o 'kexe_skip=[0-9]*' "$1" | cut -d= -f2) * 4096))
}

# cut_points SCRIPT: byte counts to keep: throughout the script text (every line end and
# the byte before and after it, and every 97th byte), in the padding, around the marker and
# in the bundle.
cut_points() {
	local f=$1 script_end header total
	total=$(stat -c %s "$f")
	script_end=$(script_end "$f")
	header=$(header_end "$f")
	{
		# offset of each newline: cut before it, after it, and one byte into the next line
		head -c "$script_end" "$f" | LC_ALL=C awk '{ p += length($0) + 1; print p - 1, p, p + 1 }'
		seq 1 97 "$script_end"
		echo $((script_end - 2)) $((script_end - 1)) $((script_end + 1)) $((script_end + 100))
		echo $(((script_end + header) / 2)) $((header - 24)) $((header - 10)) $((header - 1))
		echo $header $((header + 1)) $((header + 4096)) $((total / 2)) $((total - 64))
		echo $((total - 1))
	} | tr ' ' '\n' | awk -v t="$total" '$1 > 0 && $1 < t' | sort -nu
}

# cut_runs SHELL SCRIPT END CUT...: runs each cut-off copy of SCRIPT under SHELL as a file and
# piped; prints FAILURE lines. Kept lean (few processes per run): it runs thousands of times.
cut_runs() {
	local sh=$1 f=$2 end=$3 cut way rc err d
	shift 3
	d=$WORK/cut/${sh// /-}
	mkdir -p "$d"
	for cut in "$@"; do
		head -c "$cut" "$f" >"$d/t.sh"
		for way in file pipe; do
			rc=0
			if [ $way = file ]; then
				KEXE_FAKE_LOG=$d/seam.log $sh "$d/t.sh" "${ARGS[@]}" >/dev/null 2>"$d/err" || rc=$?
			else
				cat "$d/t.sh" | KEXE_FAKE_LOG=$d/seam.log $sh -s -- "${ARGS[@]}" \
					>/dev/null 2>"$d/err" || rc=$?
			fi
			err=
			IFS= read -r -d '' err <"$d/err" || true
			err=${err%$'\n'}
			if [ -e "$d/seam.log" ] || [[ $err == *rebooting* || $err == *loaded* ]]; then
				echo "FAILURE: $sh $way, cut at $cut: the bundle ran: $err"
				rm -f "$d/seam.log"
			fi
			# From the whole last line on, the script runs and says what is wrong.
			if [ "$cut" -ge $((end - 1)) ] && [ "$rc" != 3 ]; then
				echo "FAILURE: $sh $way, cut at $cut: exit $rc, want 3: $err"
			fi
		done
	done
}

test_cut_off_scripts_never_run_the_bundle() {
	local f=$B/fake.sh sh cuts n
	cuts=($(cut_points "$f"))
	for sh in bash dash "busybox ash"; do
		cut_runs "$sh" "$f" "$(script_end "$f")" "${cuts[@]}" >"$WORK/cut-${sh// /-}.out" &
	done
	wait
	cat "$WORK"/cut-*.out
	n=$(cat "$WORK"/cut-*.out | grep -c '^FAILURE' || true)
	[ "$n" = 0 ] || fail "$(grep -h -m1 '^FAILURE' "$WORK"/cut-*.out | head -n1 | cut -c10-) (and $((n - 1)) more)"
	no_leftovers
	echo "${#cuts[@]} cut points x 3 shells x (file, pipe): none ran the bundle"
}

test_cut_off_real_stub_never_passes_a_dry_run() {
	local f=$B/real.sh cut sh o
	mkdir -p "$WORK/rcut"
	for cut in $(cut_points "$f" | awk 'NR % 6 == 0'); do
		head -c "$cut" "$f" >"$WORK/rcut/t.sh"
		for sh in bash dash "busybox ash"; do
			o=$WORK/rcut/run
			rm -rf "$o"
			run_way pipe "$sh" "$WORK/rcut/t.sh" "$o" --dry-run
			! grep -q "nothing was loaded" "$o/err" || fail "$sh, cut at $cut: dry run passed"
		done
	done
	no_leftovers
}

# A shell that reads its script from a pipe in blocks larger than the padding would swallow
# the marker line and the start of the bundle. Such streams (padding and marker cut out, and
# some bundle bytes too) must stop with the two-command alternative, running nothing.
test_shell_reading_past_the_padding_is_stopped() {
	local f=$B/fake.sh script_end header sh cut o log=$WORK/ra/seam.log
	mkdir -p "$WORK/ra"
	script_end=$(script_end "$f")
	header=$(header_end "$f")
	for cut in $((header - 10)) $header $((header + 1)) $((header + 5000)); do
		{
			head -c "$script_end" "$f"
			tail -c +$((cut + 1)) "$f"
		} >"$WORK/ra/t.sh"
		for sh in bash dash "busybox ash"; do
			o=$WORK/ra/run
			KEXE_FAKE_LOG=$log run_way pipe "$sh" "$WORK/ra/t.sh" "$o"
			[ "$(cat "$o/rc")" = 2 ] || fail "$sh, swallowed to $cut: exit $(cat "$o/rc")"
			grep -q "^kexe: this shell read ahead.*curl -fsSLo fake.sh URL && sh fake.sh$" \
				"$o/err" || fail "$sh: message: $(cat "$o/err")"
			[ ! -e "$log" ] || fail "the seam was called"
		done
	done
	# Swallowing part of the padding is what dash and busybox ash do: that works.
	{
		head -c "$script_end" "$f"
		tail -c +$((script_end + 20000)) "$f"
	} >"$WORK/ra/ok.sh"
	run_way pipe dash "$WORK/ra/ok.sh" "$WORK/ra/ok"
	[ "$(cat "$WORK/ra/ok/rc")" = 0 ] || fail "partly swallowed padding: $(cat "$WORK/ra/ok/err")"
	no_leftovers
}

# flip FILE OFFSET: a copy of FILE with the byte at OFFSET changed, in $WORK/flip.sh.
flip() {
	cp "$1" "$WORK/flip.sh"
	printf '\x5a' | dd of="$WORK/flip.sh" bs=1 seek="$2" conv=notrunc status=none
}

# As a file, the script checks the SHA-256 before it runs anything. From a pipe it writes only
# the loader, checks that, and the loader checks every byte of the stream before loading.
test_damaged_or_unpinned_bundles_are_refused() {
	local size header sh o log=$WORK/pin/seam.log want
	mkdir -p "$WORK/pin"
	size=$(stat -c %s "$B/fake.sh")
	header=$(header_end "$B/fake.sh")
	want=$(sha256sum <"$B/fake.kexe" | cut -d' ' -f1)
	for sh in bash dash "busybox ash"; do
		o=$WORK/pin/${sh// /-}
		flip "$B/fake.sh" $((size - 100000)) # in the raw initrd
		KEXE_FAKE_LOG=$log run_way file "$sh" "$WORK/flip.sh" "$o/flip"
		[ "$(cat "$o/flip/rc")" = 3 ] || fail "$sh: flipped byte gave exit $(cat "$o/flip/rc")"
		grep -q "^kexe: the bundle's SHA-256 is [0-9a-f]*, not $want" "$o/flip/err" ||
			fail "$sh: $(cat "$o/flip/err")"
		KEXE_FAKE_LOG=$log run_way pipe "$sh" "$WORK/flip.sh" "$o/pflip"
		[ "$(cat "$o/pflip/rc")" = 3 ] || fail "$sh: flipped byte piped gave exit $(cat "$o/pflip/rc")"
		grep -q "^kexe: bundle is damaged: initrd section checksum mismatch" "$o/pflip/err" ||
			fail "$sh: piped: $(cat "$o/pflip/err")"
		# in the command line, which --cmdline leaves unread: only the SHA-256 sees it
		flip "$B/fake.sh" $((size - 64 * 6 - 83 - 10))
		KEXE_FAKE_LOG=$log run_way pipe "$sh" "$WORK/flip.sh" "$o/cflip" --cmdline x
		[ "$(cat "$o/cflip/rc")" = 3 ] || fail "$sh: flipped cmdline gave exit $(cat "$o/cflip/rc")"
		grep -q "^kexe: the streamed bundle's SHA-256 is [0-9a-f]*, not $want" "$o/cflip/err" ||
			fail "$sh: piped cmdline: $(cat "$o/cflip/err")"
		# in the loader: the script checks it before running it
		flip "$B/fake.sh" $((header + 5000))
		KEXE_FAKE_LOG=$log run_way pipe "$sh" "$WORK/flip.sh" "$o/lflip"
		[ "$(cat "$o/lflip/rc")" = 3 ] && grep -q "^kexe: the loader's SHA-256 is" "$o/lflip/err" ||
			fail "$sh: piped loader: $(cat "$o/lflip/err")"
		# cut off in the payload
		head -c $((size - 5000)) "$B/fake.sh" >"$WORK/cut.sh"
		KEXE_FAKE_LOG=$log run_way pipe "$sh" "$WORK/cut.sh" "$o/cut"
		[ "$(cat "$o/cut/rc")" = 3 ] &&
			grep -q "^kexe: the stream ended early at byte [0-9]* of $((size - header))" "$o/cut/err" ||
			fail "$sh: cut: $(cat "$o/cut/err")"
		KEXE_SHA256=$(printf '%064d' 0) KEXE_FAKE_LOG=$log run_way file "$sh" "$B/fake.sh" "$o/pin"
		[ "$(cat "$o/pin/rc")" = 3 ] || fail "$sh: wrong pin gave exit $(cat "$o/pin/rc")"
		grep -q "KEXE_SHA256 pins" "$o/pin/err" || fail "$sh: $(cat "$o/pin/err")"
		KEXE_SHA256=$(printf '%064d' 0) KEXE_FAKE_LOG=$log run_way pipe "$sh" "$B/fake.sh" "$o/ppin"
		[ "$(cat "$o/ppin/rc")" = 3 ] && grep -q "KEXE_SHA256 pins" "$o/ppin/err" ||
			fail "$sh: wrong pin piped: $(cat "$o/ppin/err")"
		[ ! -e "$log" ] || fail "$sh: the seam was called"
		KEXE_SHA256=$want run_way pipe "$sh" "$B/fake.sh" "$o/ok"
		[ "$(cat "$o/ok/rc")" = 0 ] || fail "$sh: right pin gave exit $(cat "$o/ok/rc")"
	done
	no_leftovers
}

# Without sha256sum (and without busybox) the size is still checked and the bundle checks
# itself. As a file, a pin cannot be checked and is refused; from a pipe the loader checks it.
test_without_sha256sum_the_bundle_checks_itself() {
	local bin=$WORK/nosum/bin t o log=$WORK/nosum/seam.log dash want
	mkdir -p "$bin"
	for t in mktemp mkdir rm chmod dd cat wc df uname printf; do
		ln -s "$(command -v "$t")" "$bin/$t"
	done
	o=$WORK/nosum
	dash=$(command -v dash)
	want=$(sha256sum <"$B/fake.kexe" | cut -d' ' -f1)
	PATH=$bin run_way pipe "$dash" "$B/fake.sh" "$o/ok"
	[ "$(cat "$o/ok/rc")" = 0 ] || fail "no sha256sum: $(cat "$o/ok/err")"
	flip "$B/fake.sh" $(($(stat -c %s "$B/fake.sh") - 100000))
	KEXE_FAKE_LOG=$log PATH=$bin run_way file "$dash" "$WORK/flip.sh" "$o/flip"
	[ "$(cat "$o/flip/rc")" = 3 ] || fail "flipped byte without sha256sum: exit $(cat "$o/flip/rc")"
	# the loader checks its file's SHA-256 (KEXE_FILE_SHA256) before its own checksums
	grep -q "^kexe: the bundle's SHA-256 is [0-9a-f]*, not $want" "$o/flip/err" ||
		fail "bundle's message: $(cat "$o/flip/err")"
	KEXE_SHA256=$want KEXE_FAKE_LOG=$log PATH=$bin run_way file "$dash" "$B/fake.sh" "$o/pin"
	[ "$(cat "$o/pin/rc")" = 3 ] && grep -q "no sha256sum here" "$o/pin/err" ||
		fail "pin without sha256sum: $(cat "$o/pin/err")"
	KEXE_SHA256=abc KEXE_FAKE_LOG=$log PATH=$bin run_way pipe "$dash" "$B/fake.sh" "$o/ppin"
	[ "$(cat "$o/ppin/rc")" = 3 ] && grep -q "KEXE_SHA256 pins (abc)" "$o/ppin/err" ||
		fail "wrong pin piped without sha256sum: $(cat "$o/ppin/err")"
	[ ! -e "$log" ] || fail "the seam was called"
	KEXE_SHA256=$want PATH=$bin run_way pipe "$dash" "$B/fake.sh" "$o/rpin"
	[ "$(cat "$o/rpin/rc")" = 0 ] || fail "right pin piped without sha256sum: $(cat "$o/rpin/err")"
	no_leftovers
}

# stub_size KEXE: the loader part of a bundle (payload_offset in the trailer).
stub_size() {
	od -An -t u8 -j $(($(stat -c %s "$1") - 48)) -N 8 "$1" | tr -d ' '
}

# paused_cat FILE N GO: FILE's first N bytes, then, once the file GO exists, the rest: a
# download that stalls part way.
paused_cat() {
	head -c "$2" "$1"
	while [ ! -e "$3" ]; do sleep 0.05; done
	tail -c +$(($2 + 1)) "$1"
}

# largest_file DIR: the size of the largest file under DIR (0 when none).
largest_file() {
	{
		echo 0
		find "$1" -type f -printf '%s\n'
	} | sort -n | tail -n 1
}

# From a pipe the script writes only the loader to $TMPDIR; the payload goes from the pipe into
# the loader's memory. The download stalls 300 KB into the payload: by then the script has
# written everything it will, and the largest file in $TMPDIR must be the loader.
test_piped_runs_write_only_the_loader() {
	local sh way o stub size cut i big n=0
	stub=$(stub_size "$B/real.kexe")
	size=$(stat -c %s "$B/real.kexe")
	cut=$(($(header_end "$B/real.sh") + stub + 300000))
	[ "$stub" -gt 100000 ] && [ $((cut + 100000)) -lt "$(stat -c %s "$B/real.sh")" ] ||
		fail "loader $stub of $size bytes?"
	for sh in bash dash "busybox ash" procsub; do
		for way in pipe devstdin; do
			[ "$sh" != procsub ] || [ $way = pipe ] || continue
			o=$WORK/wr/${sh// /-}-$way
			mkdir -p "$o"
			rm -f "$o.go"
			case $sh:$way in
			procsub:*) bash <(paused_cat "$B/real.sh" "$cut" "$o.go") --dry-run ;;
			*:pipe) paused_cat "$B/real.sh" "$cut" "$o.go" | $sh -s -- --dry-run ;;
			*:devstdin) paused_cat "$B/real.sh" "$cut" "$o.go" | $sh /dev/stdin --dry-run ;;
			esac >"$o/out" 2>"$o/err" &
			for ((i = 0; i < 200; i++)); do # until the loader is complete (10 s at most)
				[ "$(largest_file "$TMPDIR")" -lt "$stub" ] || break
				sleep 0.05
			done
			sleep 0.5 # and for anything more it would write
			big=$(largest_file "$TMPDIR")
			touch "$o.go"
			wait $! || fail "$sh $way: exit $?: $(cat "$o/err")"
			grep -q "nothing was loaded" "$o/err" || fail "$sh $way: $(cat "$o/err")"
			[ "$big" = "$stub" ] ||
				fail "$sh $way: the largest file in TMPDIR had $big bytes, the loader $stub"
			n=$((n + 1))
		done
	done
	no_leftovers
	echo "$n piped runs wrote $stub bytes (the loader) of the $size-byte bundle to TMPDIR"
}

# A dd without iflag=fullblock copies the loader byte by byte: still exact.
test_dd_without_fullblock_copies_the_loader_exactly() {
	local bin=$WORK/nofull ref=$WORK/nfref sh o
	mkdir -p "$bin"
	cat >"$bin/dd" <<EOF
#!/bin/sh
for a; do case \$a in iflag=*) echo "dd: invalid input flag" >&2; exit 1 ;; esac; done
exec $(command -v dd) "\$@"
EOF
	chmod +x "$bin/dd"
	run_ref "$ref" "$B/fake.kexe" "${ARGS[@]}"
	for sh in dash "busybox ash"; do
		o=$WORK/nofull/${sh// /-}
		mkdir -p "$o/dump"
		KEXE_FAKE_DUMP=$o/dump PATH=$bin:$PATH run_way slowpipe "$sh" "$B/fake.sh" "$o" "${ARGS[@]}"
		same_result "$ref" "$o" || return 1
	done
	no_leftovers
}

have_namespaces() {
	[ "$(id -u)" = 0 ] && [ -d /mnt ] && unshare --mount --propagation private true 2>/dev/null
}

# in_namespace SCRIPT ARGS...: runs the bash SCRIPT as root in a private mount namespace where
# $WORK is also /mnt, so that it stays reachable (even when it lies under /tmp) after SCRIPT
# mounts over /tmp, /dev/shm or /run. Inside, the fake host is /mnt/host.
in_namespace() {
	local script=$1
	shift
	KEXE_FAKE_ROOT=/mnt/host unshare --mount --propagation private bash -c \
		'mount --bind "$0" /mnt && eval "$1"' "$WORK" "$script" "$@"
}

# A too small TMPDIR, then noexec tmpfs on /tmp, /dev/shm and /run, then the current
# directory: the bundle must land in the first place where it fits and programs run (its
# --help names its own path), and with none it must stop.
test_noexec_directories_fall_through() {
	local sh way d=$WORK/nx
	if ! have_namespaces; then
		echo "needs root and unshare --mount"
		return 0
	fi
	mkdir -p "$d/tmpdir" "$d/cwd"
	cp "$B/fake.sh" "$d/fake.sh"
	for sh in bash dash "busybox ash"; do
		for way in file pipe; do
			in_namespace '
				set -e
				d=/mnt/nx sh=$2 way=$3
				noexec() { mount -t tmpfs -o noexec,mode=1777 tmpfs "$1"; }
				where() { # the directory the bundle ran from, per its --help
					case $way in
					file) TMPDIR=$d/tmpdir $sh "$d/fake.sh" --help ;;
					pipe) cat "$d/fake.sh" | TMPDIR=$d/tmpdir $sh -s -- --help ;;
					esac 2>&1 | sed -n "s|^Usage: \(.*\)/kexe\.[^/]*/fake\.kexe .*|\1|p"
				}
				cd "$d/cwd"
				# TMPDIR too small for the bundle: skipped.
				mount -t tmpfs -o size=64k,mode=1777 tmpfs "$d/tmpdir"
				mount -t tmpfs -o mode=1777 tmpfs /tmp
				[ "$(where)" = /tmp ] || { echo "FAILURE: want /tmp: $(where)"; exit 1; }
				noexec /tmp
				mount -t tmpfs -o mode=1777 tmpfs /dev/shm
				[ "$(where)" = /dev/shm ] || { echo "FAILURE: want /dev/shm: $(where)"; exit 1; }
				noexec /dev/shm; noexec /run
				[ "$(where)" = "$d/cwd" ] || { echo "FAILURE: want cwd: $(where)"; exit 1; }
				noexec "$d/cwd"; cd "$d/cwd"
				rc=0; TMPDIR=$d/tmpdir $sh "$d/fake.sh" 2>"$d/err" || rc=$?
				[ $rc = 7 ] || { echo "FAILURE: nowhere to run: exit $rc"; exit 1; }
				grep -q "^kexe: found no writable directory that lets programs run" "$d/err" ||
					{ echo "FAILURE: message $(cat "$d/err")"; exit 1; }
				for x in "$d/tmpdir" /tmp /dev/shm /run "$d/cwd"; do
					! ls -A "$x" | grep "^kexe\." || { echo "FAILURE: left in $x"; exit 1; }
				done
			' "$sh" "$way" || fail "$sh $way (see log)"
		done
	done
}

# ssh root@HOST 'd=$(mktemp -d) && cat > "$d/b" && ... "$d/b"; ...' < boot.kexe, as kexe prints
# it, with "ssh root@HOST" replaced by sh -c; /tmp is a fresh tmpfs in a private namespace.
test_stdin_stream_without_sh_form() {
	local line cmd ref=$WORK/sref o=$WORK/sout
	"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" -o "$WORK/boot.kexe" --print-oneliners \
		>"$WORK/ol.out" || fail "pack"
	line=$(grep -m1 "stream over ssh:" "$WORK/ol.out")
	cmd=$(printf '%s\n' "$line" | sed -n "s|.*ssh root@HOST '\(.*\)' < .*|\1|p")
	# shellcheck disable=SC2016 # the command as printed, not expanded here
	[ "$cmd" = 'd=$(mktemp -d) && cat > "$d/b" && chmod 700 "$d/b" && "$d/b"; r=$?; rm -rf "$d"; exit $r' ] ||
		fail "printed: $line"
	run_ref "$ref" "$WORK/boot.kexe"
	if ! have_namespaces; then # the same command in $TMPDIR
		run_ref "$o" sh -c "$cmd" <"$WORK/boot.kexe"
		same_result "$ref" "$o"
		no_leftovers
		return
	fi
	mkdir -p "$o/dump"
	code in_namespace 'mount -t tmpfs tmpfs /tmp && KEXE_FAKE_DUMP=/mnt/sout/dump TMPDIR=/tmp sh -c "$2" &&
		[ -z "$(ls -A /tmp)" ]' "$cmd" <"$WORK/boot.kexe" >"$o/out" 2>"$o/err"
	echo "$RC" >"$o/rc"
	same_result "$ref" "$o" || return 1
	# On a noexec /tmp it cannot run (docs/ONE-LINERS.md gives /dev/shm or the shell form).
	code in_namespace 'mount -t tmpfs -o noexec tmpfs /tmp &&
		KEXE_FAKE_LOG=/mnt/sseam.log TMPDIR=/tmp sh -c "$2"' "$cmd" <"$WORK/boot.kexe" >"$o/out" 2>"$o/err"
	[ "$RC" = 126 ] || fail "noexec /tmp: exit $RC: $(cat "$o/err")"
	[ ! -e "$WORK/sseam.log" ] || fail "the seam was called"
}

# start_http DIR: busybox httpd serving DIR on 127.0.0.1; sets URL_BASE and HTTPD_PID.
start_http() {
	local port i j
	echo pong >"$1/ping"
	for ((i = 0; i < 20; i++)); do
		port=$((20000 + RANDOM % 20000))
		busybox httpd -f -p "127.0.0.1:$port" -h "$1" &
		HTTPD_PID=$!
		for ((j = 0; j < 50; j++)); do # until it answers, or died (port taken)
			kill -0 "$HTTPD_PID" 2>/dev/null || break
			if [ "$(curl -fsS "http://127.0.0.1:$port/ping" 2>/dev/null)" = pong ]; then
				URL_BASE=http://127.0.0.1:$port
				return 0
			fi
			sleep 0.1
		done
		stop_http
	done
	fail "busybox httpd did not start"
}

stop_http() {
	kill "$HTTPD_PID" 2>/dev/null || true
	wait "$HTTPD_PID" 2>/dev/null || true
}

# The curl | sh and wget | sh lines exactly as kexe prints them for --url, run by sh -c.
test_printed_curl_and_wget_lines_work() {
	local srv=$WORK/srv ref=$WORK/cref o line sum name
	mkdir -p "$srv"
	start_http "$srv" || return 1
	trap stop_http EXIT
	"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" --format sh --url "$URL_BASE/boot.sh" \
		--print-oneliners -o "$srv/boot.sh" >"$WORK/ol.out" || fail "pack"
	sum=$(sha256sum <"$B/fake.kexe" | cut -d' ' -f1)
	run_ref "$ref" "$B/fake.kexe"
	for name in "curl | sh" "wget | sh" "pinned download"; do
		line=$(grep -m1 "^  $name: " "$WORK/ol.out" | sed "s/^  $name: *//")
		[ -n "$line" ] || fail "no '$name' line: $(cat "$WORK/ol.out")"
		case $name in
		"pinned download")
			grep -qF "$(sha256sum <"$srv/boot.sh" | cut -d' ' -f1)  boot.sh" <<<"$line" ||
				fail "pinned download line lacks the file's SHA-256: $line"
			;;
		*) grep -qF "$URL_BASE/boot.sh | KEXE_SHA256=$sum sh" <<<"$line" || fail "line: $line" ;;
		esac
		o=$WORK/c/${name// /}
		mkdir -p "$o"
		# wget: busybox's applet, as on a rescue system without curl.
		(cd "$o" && run_ref "$o" sh -c "${line//wget /busybox wget }")
		if [ "$name" = "pinned download" ]; then # sha256sum -c says so on stdout
			[ "$(head -n 1 "$o/out")" = "boot.sh: OK" ] || fail "sha256sum -c: $(cat "$o/out")"
			sed -i 1d "$o/out"
		fi
		same_result "$ref" "$o" || return 1
	done
	no_leftovers
}

test_kexe_boot_sh_downloads_checks_and_runs() {
	local srv=$WORK/bsrv ref=$WORK/bref sum o log=$WORK/bseam.log sh t cut
	local nocurl=$WORK/nocurl
	mkdir -p "$srv" "$nocurl"
	cp "$B/fake.kexe" "$B/fake.sh" "$srv/"
	start_http "$srv" || return 1
	trap stop_http EXIT
	sum=$(sha256sum <"$B/fake.kexe" | cut -d' ' -f1)
	run_ref "$ref" "$B/fake.kexe" "${ARGS[@]}"
	for sh in bash dash "busybox ash"; do
		o=$WORK/boot/${sh// /-}
		run_ref "$o/f" $sh scripts/kexe-boot.sh "$URL_BASE/fake.kexe" "$sum" "${ARGS[@]}"
		same_result "$ref" "$o/f" || return 1
		run_ref "$o/p" $sh -s -- "$URL_BASE/fake.kexe" "$sum" "${ARGS[@]}" <scripts/kexe-boot.sh
		same_result "$ref" "$o/p" || return 1
	done
	# busybox wget when there is no curl (PATH holds only what the script needs)
	for t in mktemp mkdir rm chmod dd sha256sum; do ln -sf "$(command -v "$t")" "$nocurl/$t"; done
	ln -sf "$(command -v busybox)" "$nocurl/wget"
	PATH=$nocurl run_ref "$WORK/boot/wget" "$(command -v dash)" scripts/kexe-boot.sh "$URL_BASE/fake.kexe" \
		"$sum" "${ARGS[@]}"
	same_result "$ref" "$WORK/boot/wget" || return 1
	# the shell form, downloaded and pinned by its own file's SHA-256
	run_ref "$WORK/boot/sh" sh scripts/kexe-boot.sh "$URL_BASE/fake.sh" \
		"$(sha256sum <"$B/fake.sh" | cut -d' ' -f1)" "${ARGS[@]}"
	same_result "$ref" "$WORK/boot/sh" || return 1
	# a wrong pin or a missing file runs nothing
	o=$WORK/boot/refused
	KEXE_FAKE_LOG=$log run_ref "$o" sh scripts/kexe-boot.sh "$URL_BASE/fake.kexe" \
		"$(printf '%064d' 1)"
	[ "$(cat "$o/rc")" = 3 ] && grep -q "not the pinned" "$o/err" || fail "wrong pin: $(cat "$o/err")"
	KEXE_FAKE_LOG=$log run_ref "$o" sh scripts/kexe-boot.sh "$URL_BASE/missing" "$sum"
	[ "$(cat "$o/rc")" = 7 ] && grep -q "downloading .* failed" "$o/err" || fail "404: $(cat "$o/err")"
	run_ref "$o" sh scripts/kexe-boot.sh "$URL_BASE/fake.kexe"
	[ "$(cat "$o/rc")" = 2 ] || fail "missing SHA256 argument accepted"
	[ ! -e "$log" ] || fail "the seam was called"
	# cut off anywhere, the bootstrap runs nothing
	for cut in $(seq 1 150 "$(stat -c %s scripts/kexe-boot.sh)"); do
		head -c "$cut" scripts/kexe-boot.sh >"$WORK/boot/cut.sh"
		KEXE_FAKE_LOG=$log run_ref "$o" dash -s -- "$URL_BASE/fake.kexe" "$sum" \
			<"$WORK/boot/cut.sh"
		[ ! -e "$log" ] || fail "cut at $cut: the seam was called"
	done
	no_leftovers
}

test_oneliners_only_on_a_terminal_or_when_asked() {
	local sum
	"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" -o "$WORK/q.kexe" >"$WORK/q.out" || fail pack
	[ "$(wc -l <"$WORK/q.out")" = 1 ] || fail "piped output is not one line: $(cat "$WORK/q.out")"
	"$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" -o "$WORK/q.kexe" --print-oneliners \
		>"$WORK/q.out" || fail pack
	sum=$(sha256sum <"$WORK/q.kexe" | cut -d' ' -f1)
	grep -q "scp $WORK/q.kexe root@HOST: && ssh root@HOST ./q.kexe" "$WORK/q.out" ||
		fail "no scp line: $(cat "$WORK/q.out")"
	grep -q "$sum" "$WORK/q.out" || fail "no SHA-256"
	if command -v script >/dev/null; then # a terminal: script(1) gives the packer a pty
		script -qec "$KEXE pack --stub $FAKE --kernel $IN/bzImage -o $WORK/t.sh --format sh" \
			/dev/null >"$WORK/tty.out" || fail "pack under script"
		grep -q "curl | sh: *curl -fsSL URL | KEXE_SHA256=" "$WORK/tty.out" ||
			fail "no one-liners on a terminal: $(cat "$WORK/tty.out")"
	fi
	"$KEXE" wrap "$WORK/q.kexe" -o "$WORK/q.sh" --url 'https://example.org/a?b=1&c' \
		--print-oneliners >"$WORK/w.out" || fail wrap
	grep -qF "curl -fsSL 'https://example.org/a?b=1&c' | KEXE_SHA256=$sum sh" "$WORK/w.out" ||
		fail "URL not quoted: $(cat "$WORK/w.out")"
	grep -aqF "curl -fsSLo q.sh 'https://example.org/a?b=1&c' && sh q.sh" "$WORK/q.sh" ||
		fail "the script's retry message lacks the URL"
}

test_wrap_and_url_refusals() {
	code "$KEXE" wrap "$IN/initrd-b" -o "$WORK/x.sh" 2>"$WORK/err"
	[ "$RC" = 3 ] || fail "wrapping a non-bundle: exit $RC: $(cat "$WORK/err")"
	code "$KEXE" wrap "$B/fake.sh" -o "$WORK/x.sh" 2>"$WORK/err"
	[ "$RC" = 3 ] || fail "wrapping a shell form again: exit $RC"
	cp "$B/fake.kexe" "$WORK/same.kexe"
	code "$KEXE" wrap "$WORK/same.kexe" -o "$WORK/same.kexe" 2>"$WORK/err"
	[ "$RC" = 2 ] && cmp -s "$WORK/same.kexe" "$B/fake.kexe" || fail "wrap over its input"
	code "$KEXE" wrap "$B/fake.kexe" -o "$WORK/x.sh" --url 'http://x/$(reboot)' 2>"$WORK/err"
	[ "$RC" = 2 ] && grep -q "^kexe: --url may not contain" "$WORK/err" || fail "bad URL accepted"
	code "$KEXE" pack --stub "$FAKE" "${INPUTS[@]}" --format zip -o "$WORK/x" 2>"$WORK/err"
	[ "$RC" = 2 ] || fail "--format zip accepted"
	[ ! -e "$WORK/x.sh" ] && [ ! -e "$WORK/x" ] || fail "output written despite refusal"
}

run_tests oneliner $(declare -F | awk '{print $3}' | grep '^test_')
