#!/usr/bin/env bash
# Writes the fuzzers' seed corpora into OUT/NAME/: bundles made by the packer, the sections cut
# out of them, synthetic kernels, kexec-boot scripts and cpio writer operations.
# The bundles carry a 30-byte stand-in for the loader instead of build/stub-fake, so each seed
# stays a few KiB (fuzzing speed falls with input size) and nothing in them can be run.
# Usage: seeds.sh BUILD OUT
set -eu
build=$1
out=$2
work=$out/.work
rm -rf "$out"
mkdir -p "$work" "$out/bundle" "$out/decode" "$out/kernel" "$out/kexec_tree" "$out/cpio" \
	"$out/uki" "$out/stream"

mk() { "$build/mkimage" "$@"; }
mk bzimage "$work/bzImage" 4096
mk bzimage "$work/bzImage-255" 3000 255
mk arm64 "$work/Image" 2048
mk data "$work/text" 3000 1 text
mk data "$work/random" 600 2
: >"$work/empty"
printf 'kexe fuzz seed, not a loader\n' >"$work/stub"

nixos_script='#!/usr/bin/env bash
if ! kexec -v >/dev/null 2>&1; then
  echo "kexec not found: please install kexec-tools" 2>&1
  exit 1
fi
SCRIPT_DIR=$( cd -- "$( dirname -- "${BASH_SOURCE[0]}" )" &> /dev/null && pwd )
kexec --load ${SCRIPT_DIR}/bzImage \
  --initrd=${SCRIPT_DIR}/initrd.gz \
  --command-line "init=/nix/store/abc-nixos-system/init loglevel=4 console=ttyS0"
kexec -e
'
mkdir -p "$work/tree"
cp "$work/bzImage" "$work/tree/bzImage"
cp "$work/text" "$work/tree/initrd.gz"
printf '%s' "$nixos_script" >"$work/tree/kexec-boot"

pack() {
	local name=$1
	shift
	"$build/kexe" pack --stub "$work/stub" -o "$out/bundle/$name" "$@" >/dev/null
}
pack plain --kernel "$work/bzImage" --cmdline "console=ttyS0"
pack two-initrds --kernel "$work/bzImage" --initrd "$work/text" --initrd "$work/random" \
	--cmdline "init=/init quiet" --name seed
pack empty --kernel "$work/bzImage-255" --initrd "$work/empty" --cmdline ""
pack arm64 --kernel "$work/Image" --unchecked-kernel --cmdline "console=ttyAMA0"
pack kexec-tree --kexec-tree "$work/tree" --level 12
"$build/fuzz/cut-sections" "$out/decode" "$out"/bundle/*
cp "$out"/bundle/* "$out/stream/" # the streamed bundle: the same bundles, read from a "pipe"

cp "$work/bzImage" "$work/bzImage-255" "$work/Image" "$work/random" "$out/kernel/"
head -c 1100 "$work/bzImage" >"$out/kernel/truncated"
printf '\037\213\010\000' >"$out/kernel/gzip"
printf '\177ELF\002\001\001' >"$out/kernel/elf"
printf 'MZ\000\000zimg' >"$out/kernel/zboot"

printf '%s' "$nixos_script" >"$out/kexec_tree/nixos"
printf '%s\n' "kexec -l ./bzImage --initrd=./initrd --append='init=/x'" >"$out/kexec_tree/old"
printf '%s\n' '/run/current-system/sw/bin/kexec --load "$D/bz Image" --ramdisk "$D/i\"rd" \' \
	"  --command-line='a b'\"c\\\\d\" && kexec -e; echo done | cat" >"$out/kexec_tree/quoting"

# cpio operations: op (0 dir, 1 file, 2 parents), u16 mode, u8 path length, path,
# for a file u16 length and data
printf '\000\355\001\004root\002\244\001\022root/.ssh/auth_keys\001\300\001\022root/.ssh/auth_keys\005\000ssh-x' \
	>"$out/cpio/ssh"
printf '\001\244\001\003a/b\003\000abc\000\377\017\001.\001\000\000\002../x' >"$out/cpio/refused"
# UKIs (PE images with the sections systemd-stub reads), one with two profiles
printf 'console=ttyS0 quiet\n' >"$work/cmdline"
printf 'ID=a\n' >"$work/profile"
mkpe() { python3 "$(dirname "$0")/../interop/mkpe.py" "$@"; }
mkpe "$out/uki/typical" .text="$work/random" .cmdline="$work/cmdline" .linux="$work/bzImage" \
	.initrd="$work/text"
mkpe "$out/uki/profiles" .linux="$work/bzImage" .cmdline="$work/cmdline" \
	.profile="$work/profile" .cmdline="$work/cmdline" .ucode="$work/random" \
	.profile="$work/profile" .initrd="$work/text"
rm -rf "$work"
