#!/bin/sh
# kexe-boot.sh: download a kexe bundle, check it against a pinned SHA-256, and run it.
#
#   sh kexe-boot.sh URL SHA256 [OPTION]...
#   ssh root@HOST sh -s -- URL SHA256 [OPTION]... < kexe-boot.sh
#   curl -fsSL https://WHERE/kexe-boot.sh | sh -s -- URL SHA256 [OPTION]...
#
# URL is a bundle (boot.kexe) or its shell form (boot.sh); SHA256 is the 64 hex digits that
# `sha256sum` prints for that file (`kexe pack` prints them too). OPTIONs go to the bundle
# (--dry-run, --append ARGS, --help, ...). Run as root to boot; --dry-run needs no root.
#
# Needs only what busybox has: curl or wget to download, sha256sum (or `busybox sha256sum`),
# mkdir/mktemp, chmod, rm. The file is saved in the first of $TMPDIR, /tmp, /dev/shm, /run and
# the current directory where a program actually runs (noexec mounts are skipped), removed
# afterwards, and the bundle's exit code is passed on (docs: the bundle's --help; 2 usage,
# 3 download damaged or not the pinned file, 7 nowhere to save it or the download failed).
#
# Everything is in functions and the last line calls them, so a cut-off copy of this script
# runs nothing.

kexe_boot_fail() { # CODE MESSAGE
	echo "kexe: $2" >&2
	exit "$1"
}

kexe_boot_cleanup() {
	[ -z "$kexe_boot_dir" ] || rm -rf "$kexe_boot_dir"
}

# Sets kexe_boot_dir to a new private directory in which a program actually runs.
kexe_boot_make_dir() {
	for kexe_boot_base in ${TMPDIR:+"$TMPDIR"} /tmp /dev/shm /run "$PWD"; do
		[ -d "$kexe_boot_base" ] && [ -w "$kexe_boot_base" ] || continue
		kexe_boot_dir=$(mktemp -d "$kexe_boot_base/kexe.XXXXXX" 2>/dev/null) ||
			{ kexe_boot_dir=$kexe_boot_base/kexe.$$ &&
				mkdir -m 700 "$kexe_boot_dir" 2>/dev/null; } ||
			{ kexe_boot_dir= && continue; }
		printf '#!/bin/sh\nexit 0\n' >"$kexe_boot_dir/probe" 2>/dev/null &&
			chmod 700 "$kexe_boot_dir/probe" &&
			"$kexe_boot_dir/probe" </dev/null >/dev/null 2>&1 &&
			rm -f "$kexe_boot_dir/probe" && return 0
		rm -rf "$kexe_boot_dir"
		kexe_boot_dir=
	done
	kexe_boot_fail 7 "found no writable directory that lets programs run (tried ${TMPDIR:+$TMPDIR, }/tmp, /dev/shm, /run, $PWD); set TMPDIR to one"
}

kexe_boot_download() { # URL FILE
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL -o "$2" "$1" </dev/null
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1" </dev/null
	else
		kexe_boot_fail 7 "neither curl nor wget is here; install one, or copy the bundle over with scp"
	fi || kexe_boot_fail 7 "downloading $1 failed; check the URL and the network"
}

kexe_boot_sha256() { # FILE: prints the SHA-256
	if command -v sha256sum >/dev/null 2>&1; then
		kexe_boot_sum=$(sha256sum <"$1")
	elif command -v busybox >/dev/null 2>&1 && busybox sha256sum </dev/null >/dev/null 2>&1; then
		kexe_boot_sum=$(busybox sha256sum <"$1")
	else
		kexe_boot_fail 7 "there is no sha256sum here to check the pinned SHA-256; install coreutils or busybox"
	fi
	echo "${kexe_boot_sum%%[!0-9a-f]*}"
}

kexe_boot_main() {
	[ $# -ge 2 ] || kexe_boot_fail 2 "usage: sh kexe-boot.sh URL SHA256 [OPTION]...; see the comments at its top"
	kexe_boot_url=$1 kexe_boot_pin=$2 kexe_boot_dir=
	shift 2
	case $kexe_boot_pin in
	*[!0-9a-f]*) kexe_boot_fail 2 "SHA256 must be 64 lowercase hex digits (sha256sum prints them), not $kexe_boot_pin" ;;
	esac
	[ ${#kexe_boot_pin} = 64 ] ||
		kexe_boot_fail 2 "SHA256 must be 64 lowercase hex digits (sha256sum prints them), not $kexe_boot_pin"
	trap kexe_boot_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	kexe_boot_make_dir
	kexe_boot_file=$kexe_boot_dir/bundle
	kexe_boot_download "$kexe_boot_url" "$kexe_boot_file"
	kexe_boot_got=$(kexe_boot_sha256 "$kexe_boot_file") || exit
	[ "$kexe_boot_got" = "$kexe_boot_pin" ] ||
		kexe_boot_fail 3 "$kexe_boot_url has SHA-256 $kexe_boot_got, not the pinned $kexe_boot_pin; nothing was run"
	chmod 700 "$kexe_boot_file"
	# The shell form is a script; the binary form runs itself.
	if [ "$(dd if="$kexe_boot_file" bs=2 count=1 2>/dev/null)" = "#!" ]; then
		sh "$kexe_boot_file" "$@"
	else
		"$kexe_boot_file" "$@"
	fi
}

{ kexe_boot_main "$@"; exit $?; }
