#!/usr/bin/env bash
# Host tests of how kexe fits the tools around it: the nixos-anywhere tarball (unpacked by GNU
# and busybox tar, kexec/run under dash, busybox sh and bash, nixos-anywhere's remote script
# replayed), UKIs, --json (validated with python3 -m json.tool, then field by field), make
# install with the man pages and bash completion, and progress on a terminal (script -qc) or
# not. Bundles carry build/stub-fake, so nothing here can load a kernel or reboot this machine.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
KEXE=$BUILD/kexe
FAKE=$BUILD/stub-fake
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kexe-interop.XXXXXX")
LOGDIR=$WORK/logs
mkdir -p "$LOGDIR"
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
. tests/lib.sh
# nixos-anywhere's remote script, as tests/e2e/scenarios/nixos-anywhere.sh renders it
. tests/e2e/scenarios/nixos-anywhere.sh
exec </dev/null
# The fake host, and root has an authorized key and there is an ssh host key, for the carry
# flags kexec/run passes.
HOSTROOT=$WORK/host
fake_host "$HOSTROOT"
mkdir -p "$HOSTROOT/root/.ssh" "$HOSTROOT/etc/ssh"
KEY='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKexeInteropTest interop'
# cloud-init's forced command for root, the one option --carry-ssh-keys drops (docs/CARRY.md)
printf '%s %s\n' "command=\"echo 'Please login as the user \\\"debian\\\" rather than the user \\\"root\\\".';echo;sleep 10;exit 142\"" \
	"$KEY" >"$HOSTROOT/root/.ssh/authorized_keys"
echo 'host key' >"$HOSTROOT/etc/ssh/ssh_host_ed25519_key"

IN=$WORK/in
mkdir -p "$IN"
"$BUILD/mkimage" bzimage "$IN/bzImage" 300000
"$BUILD/mkimage" data "$IN/initrd" 200001 1 text
"$BUILD/mkimage" data "$IN/extra" 1001 3
CMDLINE="console=ttyS0 init=/init"

pack_fake() { # OUT [pack args]
	local out=$1
	shift
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --initrd "$IN/initrd" \
		--cmdline "$CMDLINE" -o "$out" "$@" >"$WORK/pack.out" 2>&1 ||
		fail "pack $*: $(cat "$WORK/pack.out")"
}

# json FILE PYTHON-EXPR: FILE is one JSON document (python3 -m json.tool accepts it) and the
# expression, with the document as d, is true.
json() {
	python3 -m json.tool "$1" >/dev/null 2>"$WORK/json.err" ||
		fail "$1 is not one JSON document: $(head -c 300 "$1") $(cat "$WORK/json.err")" ||
		return 1
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" ||
		fail "$2 is false for $(head -c 600 "$1")"
}

# lines FILE PYTHON-EXPR: every line of FILE is a JSON document (each through json.tool), and
# the expression, with the list of them as L, is true.
lines() {
	local n=0 l
	while IFS= read -r l; do
		n=$((n + 1))
		printf '%s\n' "$l" | python3 -m json.tool >/dev/null 2>&1 ||
			fail "line $n is not JSON: $l" || return 1
	done <"$1"
	python3 -c 'import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" ||
		fail "$2 is false for: $(cat "$1")"
}

# --- nixos-anywhere --------------------------------------------------------------------------

test_nixos_anywhere_tarball_unpacks_with_gnu_and_busybox_tar() {
	pack_fake "$WORK/b.kexe"
	pack_fake "$WORK/kexec.tar.gz" --format nixos-anywhere
	gzip -t "$WORK/kexec.tar.gz" || fail "gzip -t refuses the tarball"
	tar -tvzf "$WORK/kexec.tar.gz" >"$WORK/list" || fail "tar -t fails"
	[ "$(awk '{print $1, $2, $6}' "$WORK/list")" = "drwxr-xr-x root/root kexec/
-rwxr-xr-x root/root kexec/run
-rwxr-xr-x root/root kexec/kexe-bundle" ] || fail "members: $(cat "$WORK/list")"
	mkdir -p "$WORK/gnu" "$WORK/bb"
	# as nixos-anywhere does it: from stdin, decompressor named
	(cd "$WORK/gnu" && tar -xv --gzip <"$WORK/kexec.tar.gz" >/dev/null) || fail "GNU tar -x"
	cmp "$WORK/gnu/kexec/kexe-bundle" "$WORK/b.kexe" || fail "the bundle inside differs"
	if command -v busybox >/dev/null; then
		(cd "$WORK/bb" && busybox tar -xv --gzip <"$WORK/kexec.tar.gz" >/dev/null) ||
			fail "busybox tar -x"
		cmp "$WORK/bb/kexec/kexe-bundle" "$WORK/b.kexe" || fail "busybox: bundle differs"
		[ -x "$WORK/bb/kexec/run" ] || fail "busybox: kexec/run not executable"
	fi
	"$KEXE" wrap "$WORK/b.kexe" --format nixos-anywhere -o "$WORK/w.tar.gz" >/dev/null ||
		fail "wrap --format nixos-anywhere"
	cmp "$WORK/w.tar.gz" "$WORK/kexec.tar.gz" || fail "wrap and pack write different tarballs"
}

test_nixos_anywhere_tarball_name_note() {
	pack_fake "$WORK/kexec.tgz" --format nixos-anywhere
	grep -q 'name ends in .tar.gz' "$WORK/pack.out" || fail "no note about the name"
}

# kexec/run under each shell: a bundle that prints its arguments stands in for the real one
test_kexec_run_translates_flags_under_every_shell() {
	local sh out
	pack_fake "$WORK/kexec.tar.gz" --format nixos-anywhere
	mkdir -p "$WORK/r" && (cd "$WORK/r" && tar -xzf "$WORK/kexec.tar.gz") || fail untar
	if command -v shellcheck >/dev/null; then
		shellcheck -s sh "$WORK/r/kexec/run" || fail "shellcheck finds problems in kexec/run"
	fi
	printf '#!/bin/sh\nfor a in "$@"; do printf "[%%s]" "$a"; done; echo\n' \
		>"$WORK/r/kexec/kexe-bundle"
	for sh in dash "busybox sh" bash; do
		command -v "${sh%% *}" >/dev/null || continue
		$sh "$WORK/r/kexec/run" --kexec-extra-flags "--no-sync -s --append='a b' -f" \
			--delay 3 >"$WORK/out" 2>"$WORK/err" || fail "$sh: exit $?"
		out="[--detach][--delay][6][--carry-ssh-keys][--carry-network][--consume]"
		out="$out[--syscall][file][--append][a b][--force][--delay][3]"
		[ "$(head -n1 "$WORK/out")" = "$out" ] || fail "$sh passed $(head -n1 "$WORK/out")"
		grep -qx 'machine will boot into nixos in 3s...' "$WORK/out" || fail "$sh: no line"
		grep -q 'ignoring kexec-tools flag --no-sync' "$WORK/err" || fail "$sh: no note"
	done
	sh "$WORK/r/kexec/run" --dry-run >"$WORK/out" 2>&1 || fail "--dry-run"
	grep -q 'machine will boot' "$WORK/out" && fail "--dry-run claims a boot"
	return 0
}

# nixos-anywhere's own remote script (bash, GNU tar, util-linux setsid --wait, as on a usual
# target), with the fake seam: the script succeeds, the bundle loads with the extra flags,
# carries root's key, and reboots after the delay, detached.
test_nixos_anywhere_remote_script_succeeds() {
	local home=$WORK/home dump=$WORK/dump log=$WORK/na-seam.log
	setsid --wait true 2>/dev/null || { echo "no setsid --wait here"; return 0; }
	mkdir -p "$home/kexec" "$dump"
	pack_fake "$WORK/kexec.tar.gz" --format nixos-anywhere
	cp "$WORK/kexec.tar.gz" "$home/kexec/kexec-tarball.tar.gz"
	na_remote_script "--no-sync --append=kexe.na=host --delay 1" \
		>"$home/kexec/nixos-anywhere-kexec.sh"
	HOME=$home KEXE_FAKE_DUMP=$dump KEXE_FAKE_LOG=$log \
		bash "$home/kexec/nixos-anywhere-kexec.sh" >"$WORK/out" 2>&1 ||
		fail "the remote script failed: $(cat "$WORK/out")"
	grep -qx 'machine will boot into nixos in 1s...' "$home/kexec/nixos-anywhere.log" ||
		fail "log: $(cat "$home/kexec/nixos-anywhere.log")"
	grep -q '^reboot$' "$log" && fail "rebooted before the delay"
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		grep -q '^reboot$' "$log" 2>/dev/null && break
		sleep 0.25
	done
	grep -q '^reboot$' "$log" || fail "no reboot after the delay: $(cat "$log")"
	[ "$(cat "$dump/cmdline")" = "$CMDLINE kexe.na=host" ] ||
		fail "cmdline: $(cat "$dump/cmdline")"
	mkdir -p "$WORK/carried"
	tail -c +$((200001 + 3 + 1)) "$dump/initrd" >"$WORK/carried.cpio"
	(cd "$WORK/carried" && cpio -id --quiet <"$WORK/carried.cpio") || fail "no carried cpio"
	[ "$(cat "$WORK/carried/ssh/authorized_keys")" = "$KEY" ] || fail "key not carried"
	[ -s "$WORK/carried/addrs.json" ] || fail "network not carried"
}

test_kexec_run_fails_the_remote_script_when_the_bundle_fails() {
	local home=$WORK/home2
	mkdir -p "$home/kexec"
	pack_fake "$WORK/kexec.tar.gz" --format nixos-anywhere
	cp "$WORK/kexec.tar.gz" "$home/kexec/kexec-tarball.tar.gz"
	na_remote_script "" >"$home/kexec/nixos-anywhere-kexec.sh"
	# setsid --wait may be missing here; the script's words are what matter
	sed -i 's/ setsid --wait / /' "$home/kexec/nixos-anywhere-kexec.sh"
	HOME=$home KEXE_FAKE_LOAD_ERRNO=1 bash "$home/kexec/nixos-anywhere-kexec.sh" \
		>"$WORK/out" 2>&1 && fail "the remote script succeeded"
	grep -q 'Kexec may have failed' "$WORK/out" || fail "output: $(cat "$WORK/out")"
	grep -q '^kexe: kexec_file_load: operation not permitted' "$WORK/out" ||
		fail "no kexe: line: $(cat "$WORK/out")"
	grep -q 'exit code 4' "$WORK/out" || fail "kexec/run did not name the exit code"
}

test_kexec_run_retries_without_consume() {
	local base=/dev/shm rc
	mkdir -p "$WORK/rc"
	pack_fake "$WORK/kexec.tar.gz" --format nixos-anywhere
	(cd "$WORK/rc" && tar -xzf "$WORK/kexec.tar.gz") || fail untar
	# a bundle that refuses --consume with exit 9 (before it frees anything)
	mv "$WORK/rc/kexec/kexe-bundle" "$WORK/rc/kexec/real"
	printf '#!/bin/sh\nfor a; do [ "$a" != --consume ] || exit 9; done\nexec "${0%%/*}/real" "$@"\n' \
		>"$WORK/rc/kexec/kexe-bundle"
	chmod +x "$WORK/rc/kexec/kexe-bundle"
	KEXE_FAKE_LOG=$WORK/rc.log sh "$WORK/rc/kexec/run" --foreground >"$WORK/out" 2>&1 ||
		fail "exit $?: $(cat "$WORK/out")"
	grep -q 'again without --consume' "$WORK/out" || fail "no retry note"
	grep -q '^reboot$' "$WORK/rc.log" || fail "no boot on the retry"
	# the real loader on ramfs, which cannot free part of a file: exit 9, then the retry boots
	[ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null || return 0
	[ -w "$base" ] || base=$WORK
	mkdir -p "$base/kexe-interop-ramfs.$$"
	KEXE_FAKE_LOG=$WORK/ramfs.log unshare --mount --propagation private sh -c '
		mount -t ramfs ramfs "$1" && cd "$1" && tar -xzf "$2" && sh kexec/run --foreground' \
		sh "$base/kexe-interop-ramfs.$$" "$WORK/kexec.tar.gz" >"$WORK/out" 2>&1
	rc=$?
	rmdir "$base/kexe-interop-ramfs.$$"
	[ "$rc" = 0 ] || fail "on ramfs: exit $rc: $(cat "$WORK/out")"
	grep -q '^kexe: --consume: .* is on ramfs' "$WORK/out" || fail "ramfs: $(cat "$WORK/out")"
	grep -q 'again without --consume' "$WORK/out" || fail "ramfs: no retry note"
	grep -q '^reboot$' "$WORK/ramfs.log" || fail "ramfs: no boot on the retry"
}

# partial_file: a file whose size (4096, as sysfs gives every attribute) is more than can be
# read from it: as an --initrd it fails the run after the bundle's own sections were unpacked,
# with exit 7. Empty when this host has none.
partial_file() {
	local f
	for f in /sys/devices/system/cpu/online /sys/kernel/mm/transparent_hugepage/enabled \
		/sys/kernel/uevent_seqnum; do
		[ -r "$f" ] && [ "$(stat -c %s "$f")" -gt "$(wc -c <"$f")" ] && echo "$f" && return
	done
	return 0
}

# Once --consume has freed part of the bundle, a second run could only find it damaged (exit 3,
# "checksum mismatch"): kexec/run must pass the first failure on, whatever its code (7 here: an
# --initrd that cannot be read, noticed after the packed sections were unpacked; 4: the kernel
# refused the load, KEXE_FAKE_LOAD_ERRNO=1).
test_kexec_run_does_not_retry_after_the_bundle_was_used_up() {
	local base=/dev/shm d part rc
	[ -w "$base" ] || base=$WORK
	d=$base/kexe-interop-consumed.$$
	pack_fake "$WORK/kexec.tar.gz" --format nixos-anywhere
	part=$(partial_file)
	if [ -n "$part" ]; then
		rm -rf "$d" && mkdir -p "$d" && (cd "$d" && tar -xzf "$WORK/kexec.tar.gz") || fail untar
		KEXE_FAKE_LOG=$WORK/used.log sh "$d/kexec/run" --foreground --initrd "$part" \
			>"$WORK/out" 2>&1
		rc=$?
		rm -rf "$d"
		[ "$rc" = 7 ] || fail "exit $rc, want 7: $(cat "$WORK/out")"
		grep -q "^kexe: reading initrd $part failed" "$WORK/out" || fail "$(cat "$WORK/out")"
		grep -q 'again without --consume' "$WORK/out" && fail "retried: $(cat "$WORK/out")"
		grep -q 'exit code 7' "$WORK/out" || fail "kexec/run did not name exit code 7"
		grep -qs '^kexec' "$WORK/used.log" && fail "loaded: $(cat "$WORK/used.log")"
	else
		echo "no file here that reads short of its size; only the load failure is tried"
	fi
	rm -rf "$d" && mkdir -p "$d" && (cd "$d" && tar -xzf "$WORK/kexec.tar.gz") || fail untar
	KEXE_FAKE_LOAD_ERRNO=1 KEXE_FAKE_LOG=$WORK/used4.log sh "$d/kexec/run" --foreground \
		>"$WORK/out" 2>&1
	rc=$?
	rm -rf "$d"
	[ "$rc" = 4 ] || fail "exit $rc, want 4: $(cat "$WORK/out")"
	grep -q 'again without --consume' "$WORK/out" && fail "retried: $(cat "$WORK/out")"
	[ "$(grep -c '^kexec_file_load kernel=' "$WORK/used4.log")" = 1 ] ||
		fail "not one load: $(cat "$WORK/used4.log")"
}

# --- UKI -------------------------------------------------------------------------------------

test_uki_parts_are_packed_and_added_to() {
	printf 'console=ttyS0 quiet\n\0' >"$WORK/cmdline"
	python3 tests/interop/mkpe.py "$WORK/uki.efi" .text="$IN/extra" .linux="$IN/bzImage" \
		.initrd="$IN/initrd" .cmdline="$WORK/cmdline" || fail "mkpe.py"
	"$KEXE" pack --stub "$FAKE" --uki "$WORK/uki.efi" --initrd "$IN/extra" \
		--append kexe.uki=1 -o "$WORK/u.kexe" >/dev/null || fail "pack --uki"
	"$KEXE" extract "$WORK/u.kexe" "$WORK/ux" || fail extract
	cmp "$WORK/ux/kernel" "$IN/bzImage" || fail "kernel differs"
	cmp "$WORK/ux/initrd-0" "$IN/initrd" || fail "the UKI's initrd differs"
	cmp "$WORK/ux/initrd-1" "$IN/extra" || fail "--initrd differs"
	[ "$(cat "$WORK/ux/cmdline")" = "console=ttyS0 quiet kexe.uki=1" ] ||
		fail "cmdline: $(cat "$WORK/ux/cmdline")"
	"$KEXE" pack --uki "$WORK/uki.efi" --cmdline replaced -o "$WORK/u2.kexe" >/dev/null ||
		fail "pack --uki --cmdline"
	"$KEXE" info --json "$WORK/u2.kexe" >"$WORK/i.json"
	json "$WORK/i.json" 'd["cmdline"] == "replaced"'
}

test_uki_refusals() {
	expect() { # CODE WORDS CMD...
		local code=$1 words=$2 rc
		shift 2
		"$@" >"$WORK/out" 2>&1
		rc=$?
		[ "$rc" = "$code" ] || fail "$* exited $rc: $(cat "$WORK/out")" || return 1
		grep -q "$words" "$WORK/out" || fail "$* said: $(cat "$WORK/out")"
	}
	python3 tests/interop/mkpe.py "$WORK/nolinux.efi" .initrd="$IN/initrd" || fail mkpe
	expect 2 "no .linux section" "$KEXE" pack --uki "$WORK/nolinux.efi" -o "$WORK/x.kexe"
	expect 2 "no MZ header" "$KEXE" pack --uki "$IN/initrd" -o "$WORK/x.kexe"
	expect 2 "leave out --kernel" "$KEXE" pack --uki "$WORK/nolinux.efi" \
		--kernel "$IN/bzImage" -o "$WORK/x.kexe"
	head -c 1000 "$WORK/nolinux.efi" >"$WORK/cut.efi"
	expect 2 "past the end" "$KEXE" pack --uki "$WORK/cut.efi" -o "$WORK/x.kexe"
	[ ! -e "$WORK/x.kexe" ] || fail "a bundle was written"
}

# --- JSON ------------------------------------------------------------------------------------

test_json_info_and_verify() {
	pack_fake "$WORK/b.kexe" --name interop
	"$KEXE" info --json "$WORK/b.kexe" >"$WORK/info.json" || fail "info --json"
	json "$WORK/info.json" 'd["kexe_json"] == 1 and d["type"] == "info" and d["ok"] is True
and d["exit_code"] == 0 and d["arch"] == "x86_64" and d["cmdline"] == "'"$CMDLINE"'"
and [s["name"] for s in d["sections"]] == ["kernel", "initrd-0", "cmdline", "metadata"]
and d["sections"][0]["original_size"] == 300000 and d["metadata"]["name"] == "interop"
and d["file_size"] == '"$(stat -c %s "$WORK/b.kexe")"' and len(d["sections"][1]["original_xxh64"]) == 16'
	"$WORK/b.kexe" --info --json >"$WORK/binfo.json" || fail "--info --json"
	json "$WORK/binfo.json" 'd["type"] == "info" and d["sections"] == json.load(open("'"$WORK/info.json"'"))["sections"]'
	"$KEXE" verify --json "$WORK/b.kexe" >"$WORK/v.json" || fail "verify --json"
	json "$WORK/v.json" 'd["type"] == "verify" and d["ok"] is True and d["initrds"] == 1
and d["kernel"].startswith("x86_64 bzImage")'
	head -c 100000 "$WORK/b.kexe" >"$WORK/cut.kexe"
	"$KEXE" verify --json "$WORK/cut.kexe" >"$WORK/bad.json" && fail "verify passed a cut bundle"
	json "$WORK/bad.json" 'd["ok"] is False and d["exit_code"] == 3
and d["error"]["category"] == "bundle" and d["error"]["advice"] != "" and d["error"]["errno"] is None'
	"$KEXE" info --json "$WORK/missing" >"$WORK/m.json" && fail "info of nothing passed"
	json "$WORK/m.json" 'd["exit_code"] == 7 and d["error"]["errno_name"] == "ENOENT"'
}

test_json_pack_documents() {
	local f sum
	"$KEXE" pack --json --kernel "$IN/bzImage" --initrd "$IN/initrd" --cmdline "$CMDLINE" \
		-o "$WORK/p.kexe" >"$WORK/p.json" 2>"$WORK/p.err" || fail "pack --json: $(cat "$WORK/p.err")"
	sum=$(sha256sum "$WORK/p.kexe" | cut -d' ' -f1)
	json "$WORK/p.json" 'd["type"] == "pack" and d["ok"] is True and d["format"] == "kexe"
and d["path"] == "'"$WORK/p.kexe"'" and d["sha256"] == "'"$sum"'" and d["bundle_sha256"] == d["sha256"]
and d["file_size"] == '"$(stat -c %s "$WORK/p.kexe")"' and d["initrds"] == 1
and d["payload_size"] == 300000 + 200001 and d["kernel"].startswith("x86_64 bzImage")' || return 1
	# the shell form and the tarball pin the same binary bundle (packing is reproducible)
	for f in sh nixos-anywhere; do
		"$KEXE" pack --json --format "$f" --kernel "$IN/bzImage" --initrd "$IN/initrd" \
			--cmdline "$CMDLINE" -o "$WORK/p.$f" >"$WORK/p.$f.json" 2>"$WORK/p.err" ||
			fail "pack --json --format $f: $(cat "$WORK/p.err")"
		json "$WORK/p.$f.json" 'd["format"] == "'"$f"'" and d["bundle_sha256"] == "'"$sum"'"
and d["sha256"] == "'"$(sha256sum "$WORK/p.$f" | cut -d' ' -f1)"'"' || return 1
	done
	grep -q "$sum" "$WORK/p.sh" || fail "the shell form does not pin $sum"
	"$KEXE" pack --json --kernel "$IN/initrd" -o "$WORK/q.kexe" >"$WORK/q.json" 2>/dev/null &&
		fail "pack --json of a non-kernel passed"
	json "$WORK/q.json" 'd["ok"] is False and d["exit_code"] == 2 and d["error"]["category"] == "usage"
and "kernel" in d["error"]["message"]' || return 1
	[ ! -e "$WORK/q.kexe" ] || fail "a bundle was written"
}

test_json_check_and_dry_run_documents() {
	pack_fake "$WORK/b.kexe"
	"$WORK/b.kexe" --check --json >"$WORK/c.json" || fail "--check --json"
	json "$WORK/c.json" 'd["type"] == "check" and d["ok"] is True and d["preflight"]["ready"] is True
and {c["check"] for c in d["preflight"]["checks"]} >= {"root", "memory", "container", "arch"}
and all(c["level"] in ("pass", "warn", "fail") for c in d["preflight"]["checks"])
and d["preflight"]["memory_available"] == 4096000000 and d["preflight"]["memory_need"] > 0
and isinstance(d["preflight"]["staged"], bool)'
	KEXE_FAKE_EUID=1000 "$WORK/b.kexe" --check --json >"$WORK/c2.json" 2>/dev/null &&
		fail "--check as non-root passed"
	json "$WORK/c2.json" 'd["ok"] is False and d["exit_code"] == 4 and d["preflight"]["ready"] is False
and [c for c in d["preflight"]["checks"] if c["check"] == "root"][0]["level"] == "fail"
and d["error"]["category"] == "host"'
	"$WORK/b.kexe" --dry-run --json --append x=1 >"$WORK/d.json" 2>/dev/null || fail "--dry-run --json"
	json "$WORK/d.json" 'd["type"] == "dry-run" and d["ok"] is True
and d["payload"]["cmdline"] == "'"$CMDLINE"' x=1" and d["payload"]["initrd_size"] == 200001
and d["payload"]["syscall"] in ("kexec_file_load", "kexec_load")'
	"$WORK/b.kexe" --json --bogus >"$WORK/u.json" 2>/dev/null && fail "--bogus passed"
	lines "$WORK/u.json" 'L[-1]["event"] == "error" and L[-1]["exit_code"] == 2'
	"$WORK/b.kexe" --check --json --bogus >"$WORK/u2.json" 2>/dev/null
	json "$WORK/u2.json" 'd["type"] == "check" and d["error"]["category"] == "usage"'
}

test_json_lines_of_a_run() {
	local log=$WORK/run-seam.log
	pack_fake "$WORK/b.kexe"
	KEXE_FAKE_LOG=$log "$WORK/b.kexe" --json --foreground >"$WORK/run.jsonl" 2>/dev/null ||
		fail "run --json"
	lines "$WORK/run.jsonl" '[l["event"] for l in L] == ["start", "stage", "verdict", "stage",
"progress", "stage", "stage", "handover", "done"]
and [l["stage"] for l in L if l["event"] == "stage"] == ["preflight", "unpack", "load", "handover"]
and L[2]["ready"] is True and L[4]["final"] is True and L[4]["done"] == L[4]["total"] == 200001
and L[7]["detach"] is False and L[7]["method"] == "reboot"
and L[-1]["ok"] is True and all(l["kexe_json"] == 1 for l in L)'
	KEXE_FAKE_LOAD_ERRNO=1 "$WORK/b.kexe" --json --foreground >"$WORK/err.jsonl" 2>/dev/null &&
		fail "a refused load passed"
	lines "$WORK/err.jsonl" 'L[-1]["event"] == "error" and L[-1]["stage"] == "load"
and L[-1]["exit_code"] == 4 and L[-1]["error"]["errno"] == 1 and L[-1]["error"]["errno_name"] == "EPERM"
and L[-1]["error"]["advice"] != "" and L[-1]["error"]["cause"].startswith("kexec_file_load: ")'
	KEXE_FAKE_LOG=$WORK/d.log "$WORK/b.kexe" --json --detach --delay 1 >"$WORK/det.jsonl" \
		2>/dev/null || fail "run --json --detach"
	lines "$WORK/det.jsonl" '[l for l in L if l["event"] == "handover"][0]["detach"] is True
and [l for l in L if l["event"] == "handover"][0]["delay"] == 1 and L[-1]["event"] == "done"'
}

# --- install, man pages, completion ----------------------------------------------------------

test_install_puts_kexe_man_pages_and_completion() {
	local d=$WORK/dest
	make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$d" PREFIX=/usr >"$WORK/out" 2>&1 ||
		fail "make install: $(tail -n5 "$WORK/out")"
	[ -x "$d/usr/bin/kexe" ] || fail "no usr/bin/kexe"
	"$d/usr/bin/kexe" --version | grep -q '^kexe ' || fail "the installed kexe does not run"
	"$d/usr/bin/kexe" pack --kernel "$IN/bzImage" -o "$WORK/i.kexe" >/dev/null ||
		fail "the installed kexe cannot pack"
	"$WORK/i.kexe" --dry-run 2>/dev/null || fail "its bundle does not dry-run"
	for f in share/man/man1/kexe.1 share/man/man1/kexe-bundle.1 \
		share/bash-completion/completions/kexe; do
		[ -f "$d/usr/$f" ] || fail "no usr/$f"
	done
	MANPATH=$d/usr/share/man man -w kexe-bundle >/dev/null 2>&1 || command -v man >/dev/null ||
		return 0
	MANPATH=$d/usr/share/man man -w kexe-bundle >/dev/null || fail "man -w kexe-bundle"
}

test_man_pages_render_without_warnings() {
	local f
	command -v man >/dev/null || { echo "man is not installed"; return 0; }
	for f in docs/kexe.1 docs/kexe-bundle.1; do
		MANWIDTH=80 man --warnings -l "$f" >"$WORK/man.out" 2>"$WORK/man.err" || fail "man -l $f"
		[ ! -s "$WORK/man.err" ] || fail "$f: $(head -n3 "$WORK/man.err")"
		grep -q 'EXIT STATUS' "$WORK/man.out" || fail "$f has no EXIT STATUS"
	done
	# every option the binaries know is in a page
	for f in $("$KEXE" --help | sed '/^A bundle itself/,$d' | grep -o -- '--[a-z][a-z-]*' |
		sort -u); do
		grep -q -- "${f//-/\\\\-}" docs/kexe.1 || fail "kexe.1 lacks $f"
	done
	for f in $("$BUILD/stub" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "${f//-/\\\\-}" docs/kexe-bundle.1 || fail "kexe-bundle.1 lacks $f"
	done
}

test_bash_completion() {
	complete_words() {
		bash -c '. scripts/kexe-completion.bash; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			_kexe; printf "%s\n" "${COMPREPLY[@]}"' sh x "$@" 2>/dev/null | tr '\n' ' '
	}
	[ "$(complete_words kexe pa)" = "pack " ] || fail "kexe pa: $(complete_words kexe pa)"
	[ "$(complete_words kexe pack --format "")" = "kexe sh nixos-anywhere " ] ||
		fail "--format: $(complete_words kexe pack --format "")"
	complete_words kexe pack --u | grep -q -- '--uki' || fail "no --uki"
	[ "$(complete_words kexe verify --j)" = "--json " ] || fail "verify --j"
	# every pack option is offered
	for o in --kernel --initrd --kexec-tree --uki --cmdline --append --name --level --arch \
		--format --url --print-oneliners --output; do
		[ "$o" = --output ] || "$KEXE" --help | grep -q -- "$o" || fail "kexe --help lacks $o"
		complete_words kexe pack -- | grep -q -- "$o " || fail "pack $o is not completed"
	done
}

# --- progress --------------------------------------------------------------------------------

test_progress_silent_when_not_a_terminal() {
	"$BUILD/mkimage" data "$WORK/big" 33554432 9
	"$KEXE" pack --stub "$FAKE" --kernel "$IN/bzImage" --initrd "$WORK/big" --level 12 \
		-o "$WORK/big.kexe" >"$WORK/out" 2>&1 || fail pack
	"$KEXE" verify "$WORK/big.kexe" >>"$WORK/out" 2>&1 || fail verify
	"$KEXE" extract "$WORK/big.kexe" "$WORK/bx" >>"$WORK/out" 2>&1 || fail extract
	"$WORK/big.kexe" --dry-run >>"$WORK/out" 2>&1 || fail dry-run
	"$KEXE" wrap "$WORK/big.kexe" -o "$WORK/big.sh" >>"$WORK/out" 2>&1 || fail wrap
	if grep -q $'\r' "$WORK/out" || grep -q 'MiB/s' "$WORK/out"; then
		fail "progress without a terminal: $(grep -m1 'MiB/s' "$WORK/out")"
	fi
	return 0
}

# script(1) gives the packer a terminal; 32 MiB of incompressible data at LZ4 level 12 takes
# well over the 200 ms before the first progress line.
test_progress_on_a_terminal() {
	command -v script >/dev/null || { echo "no script(1)"; return 0; }
	"$BUILD/mkimage" data "$WORK/big" 33554432 9
	script -qec "$KEXE pack --stub $FAKE --kernel $IN/bzImage --initrd $WORK/big --level 12 \
		-o $WORK/t.kexe" /dev/null >"$WORK/tty.out" 2>&1 || fail "pack under script"
	grep -q $'\rkexe: packing [0-9]*/32 MiB ([ 0-9]*%) [0-9]* MiB/s, [0-9]* s left' \
		"$WORK/tty.out" || fail "no progress line: $(tr '\r' '\n' <"$WORK/tty.out" | head -n3)"
	grep -q $'\rkexe: packing 32/32 MiB (100%) [0-9]* MiB/s, done in [0-9.]* s' \
		"$WORK/tty.out" || fail "no closing line: $(tr '\r' '\n' <"$WORK/tty.out" | tail -n3)"
}

run_tests interop $(declare -F | awk '{print $3}' | grep '^test_')
