# Sourced by tests/cli/run.sh: the running kernel's command line carried into the new one
# (--reuse-console, --reuse-cmdline), and kexec_load tried after kexec_file_load refused the
# kernel (issue 22 items 3 and 4), through the fake seam.

RUNNING='BOOT_IMAGE=/boot/vmlinuz-6.1 root=/dev/vda1 console=tty0 console=ttyS0,115200 dyndbg="file a.c +p" earlycon=uart8250,io,0x3f8,115200 earlyprintk=serial initrd=\initrd.img elfcorehdr=0x1000 kexec_jump_back_entry=0x2 quiet -- single console=ttyX'

# con_host DIR: HOSTROOT's tree with RUNNING as /proc/cmdline, a firmware memory map (x86_64
# kexec_load reads it) and firmware without EFI (secure boot is off); KEXE_FAKE_ROOT points at it.
con_host() {
	local n
	rm -rf "$1"
	cp -r "$HOSTROOT" "$1"
	printf '%s\n' "$RUNNING" >"$1/proc/cmdline"
	rm -rf "$1/sys/firmware/efi"
	for n in "0 0x0 0x9fbff" "1 0x100000 0x7ffdffff"; do
		set -- "$1" $n
		mkdir -p "$1/sys/firmware/memmap/$2"
		echo "$3" >"$1/sys/firmware/memmap/$2/start"
		echo "$4" >"$1/sys/firmware/memmap/$2/end"
		echo "System RAM" >"$1/sys/firmware/memmap/$2/type"
	done
	export KEXE_FAKE_ROOT=$1
}

# dumped_cmdline_is WANT: the command line the seam was handed (KEXE_FAKE_DUMP=$WORK/cd).
dumped_cmdline_is() {
	[ "$(cat "$WORK/cd/cmdline")" = "$1" ] || fail "cmdline: '$(cat "$WORK/cd/cmdline")', expected '$1'"
}

test_reuse_console_appends_the_running_consoles() {
	local want
	con_host "$WORK/con-host"
	mkdir -p "$WORK/cd"
	pack_fake "$WORK/con.kexe" || fail pack
	# after the packed line and --append; console=tty0 is there already; init's "--" ends it
	want="$CMDLINE console=tty0 console=ttyS0,115200 earlycon=uart8250,io,0x3f8,115200"
	want="$want earlyprintk=serial"
	KEXE_FAKE_DUMP=$WORK/cd expect_exit 0 "$WORK/con.kexe" --foreground --append console=tty0 \
		--reuse-console || return 1
	dumped_cmdline_is "$want" || return 1
	# --check and --dry-run show the same final line
	expect_exit 0 "$WORK/con.kexe" --check --append console=tty0 --reuse-console || return 1
	grep -qxF "command line: $want" "$WORK/out" || fail "--check: $(grep command "$WORK/out")"
	expect_exit 0 "$WORK/con.kexe" --dry-run --append console=tty0 --reuse-console || return 1
	err_has "command line: $want" || return 1
	# a line with its own "--": the consoles go before it, where the kernel reads them
	KEXE_FAKE_DUMP=$WORK/cd expect_exit 0 "$WORK/con.kexe" --foreground --cmdline "ro -- 1" \
		--reuse-console || return 1
	dumped_cmdline_is "ro console=tty0 console=ttyS0,115200 earlycon=uart8250,io,0x3f8,115200 earlyprintk=serial -- 1"
}

test_reuse_cmdline_takes_the_running_line_without_boot_only_arguments() {
	local want
	con_host "$WORK/con-host"
	mkdir -p "$WORK/cd"
	pack_fake "$WORK/con.kexe" || fail pack
	want='root=/dev/vda1 console=tty0 console=ttyS0,115200 dyndbg="file a.c +p"'
	want="$want earlycon=uart8250,io,0x3f8,115200 earlyprintk=serial quiet -- single console=ttyX"
	KEXE_FAKE_DUMP=$WORK/cd expect_exit 0 "$WORK/con.kexe" --foreground --reuse-cmdline \
		--append kexe.t=1 || return 1
	dumped_cmdline_is "$want kexe.t=1" || return 1
	# with --reuse-console too: nothing twice
	KEXE_FAKE_DUMP=$WORK/cd expect_exit 0 "$WORK/con.kexe" --foreground --reuse-cmdline \
		--reuse-console || return 1
	dumped_cmdline_is "$want" || return 1
	# both replace the packed line: refused before anything is loaded
	KEXE_FAKE_LOG=$WORK/con.log expect_exit 2 "$WORK/con.kexe" --reuse-cmdline --cmdline x ||
		return 1
	err_has "--reuse-cmdline and --cmdline both replace the packed command line" || return 1
	[ "$(wc -l <"$WORK/err")" = 1 ] || fail "more than one line: $(cat "$WORK/err")"
	[ ! -e "$WORK/con.log" ] || fail "the seam was called: $(cat "$WORK/con.log")"
}

test_reused_cmdline_respects_the_kernels_limit_and_needs_proc() {
	con_host "$WORK/con-host"
	pack_fake "$WORK/con.kexe" || fail pack
	printf 'root=/dev/vda1 x=%03000d\n' 0 >"$KEXE_FAKE_ROOT/proc/cmdline"
	KEXE_FAKE_LOG=$WORK/con.log expect_exit 2 "$WORK/con.kexe" --reuse-cmdline || return 1
	err_has "this kernel accepts at most 2047" || return 1
	rm "$KEXE_FAKE_ROOT/proc/cmdline"
	expect_exit 7 "$WORK/con.kexe" --reuse-console || return 1
	err_has "--reuse-console: cannot read /proc/cmdline" || return 1
	[ ! -e "$WORK/con.log" ] || fail "the seam was called: $(cat "$WORK/con.log")"
}

# retried ERRNO [ARGS]: kexec_file_load fails with ERRNO, kexec_load takes the payload; the
# bytes it was handed are the packed ones (tests/tools/loadcheck.py, as the load matrix does).
retried() {
	local e=$1 log=$WORK/retry.log
	shift
	rm -rf "$WORK/rd" "$log"
	mkdir -p "$WORK/rd"
	KEXE_FAKE_FILE_LOAD_ERRNO=$e KEXE_FAKE_DUMP=$WORK/rd KEXE_FAKE_LOG=$log \
		expect_exit 0 "$WORK/con.kexe" --foreground "$@" || return 1
	err_has "kexec_file_load refused the kernel (" || return 1
	err_has "loading with kexec_load instead" || return 1
	grep -q '^kexec_load entry=' "$log" || fail "errno $e: no kexec_load: $(cat "$log")"
	{
		cat "$IN/initrd-a"
		printf '\0\0\0'
		cat "$IN/initrd-b"
	} >"$WORK/retry-initrd"
	printf '%s' "$CMDLINE" >"$WORK/retry-cmdline"
	python3 tests/tools/loadcheck.py --arch x86_64 --log "$log" --dump "$WORK/rd" \
		--kernel "$IN/bzImage" --initrd "$WORK/retry-initrd" \
		--cmdline-file "$WORK/retry-cmdline" >"$WORK/check" ||
		fail "errno $e: $(cat "$WORK/check")"
	grep -qx "ok kexec_load" "$WORK/check" || fail "errno $e: $(cat "$WORK/check")"
}

# not_retried ERRNO EXIT WORDS [ARGS]: kexec_file_load's refusal stands, kexec_load is not tried.
not_retried() {
	local e=$1 code=$2 words=$3 log=$WORK/retry.log
	shift 3
	rm -f "$log"
	KEXE_FAKE_FILE_LOAD_ERRNO=$e KEXE_FAKE_LOG=$log \
		expect_exit "$code" "$WORK/con.kexe" --foreground "$@" || return 1
	err_has "kexe: kexec_file_load: " && err_has "$words" || return 1
	grep -q '^kexec_load' "$log" && fail "errno $e: kexec_load was tried: $(cat "$log")"
	grep -q "instead" "$WORK/err" && fail "errno $e: announced a retry: $(cat "$WORK/err")"
	return 0
}

test_refused_kexec_file_load_is_retried_with_kexec_load_without_a_signature_policy() {
	local e
	con_host "$WORK/con-host"
	pack_fake "$WORK/con.kexe" || fail pack
	# EKEYREJECTED, ENOEXEC, EINVAL, EBADMSG on a host without lockdown and secure boot
	for e in 129 8 22 74; do
		retried "$e" || return 1
	done
	# --json: a retry line between the load stage and done
	KEXE_FAKE_FILE_LOAD_ERRNO=8 expect_exit 0 "$WORK/con.kexe" --foreground --json || return 1
	grep -qF '"event":"retry","refused_by":"kexec_file_load","errno":8,"errno_name":"ENOEXEC","syscall":"kexec_load"}' \
		"$WORK/out" || fail "no retry line: $(cat "$WORK/out")"
	# the retry fails too: one line that tells both answers
	KEXE_FAKE_FILE_LOAD_ERRNO=22 KEXE_FAKE_LOAD_ERRNO=22 expect_exit 6 "$WORK/con.kexe" \
		--foreground || return 1
	err_has "kexe: kexec_file_load refused the kernel (invalid argument, an image it cannot load, or too little memory) and kexec_load, tried instead, failed too: kexec_load: invalid argument: usually too little memory" ||
		return 1
	# --syscall file means it
	not_retried 8 6 "image format" --syscall file
}

test_signature_policies_keep_kexec_file_loads_refusal() {
	local e sb
	con_host "$WORK/con-host"
	pack_fake "$WORK/con.kexe" || fail pack
	echo 'none [integrity] confidentiality' >"$KEXE_FAKE_ROOT/sys/kernel/security/lockdown"
	not_retried 129 4 "requires a signed kernel" || return 1
	not_retried 74 4 "requires a signed kernel" || return 1
	not_retried 8 6 "image format" || return 1
	not_retried 22 6 "invalid argument" || return 1
	# secure boot on (the SecureBoot efivar: 4 bytes of attributes, then 1)
	echo '[none] integrity confidentiality' >"$KEXE_FAKE_ROOT/sys/kernel/security/lockdown"
	sb=$KEXE_FAKE_ROOT/sys/firmware/efi/efivars
	mkdir -p "$sb"
	printf '\006\000\000\000\001' >"$sb/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
	for e in 129 8; do
		not_retried "$e" "$([ "$e" = 8 ] && echo 6 || echo 4)" "kexec_file_load" || return 1
	done
	# secure boot unknown (an EFI system whose variable cannot be read): a signature error
	# may be its policy, a format or memory error is not
	rm "$sb/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
	not_retried 129 4 "requires a signed kernel" || return 1
	retried 8 || return 1
	# an IMA policy that appraises kexec kernels
	rm -rf "$KEXE_FAKE_ROOT/sys/firmware/efi"
	mkdir -p "$KEXE_FAKE_ROOT/sys/kernel/security/ima"
	echo 'appraise func=KEXEC_KERNEL_CHECK appraise_type=imasig' \
		>"$KEXE_FAKE_ROOT/sys/kernel/security/ima/policy"
	not_retried 8 6 "image format"
}
