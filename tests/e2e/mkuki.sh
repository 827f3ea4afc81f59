#!/bin/bash
# Make a Unified Kernel Image the documented way (systemd-stub(7); the objcopy recipe of the
# Arch wiki): .osrel, .cmdline, .linux and .initrd added to systemd-stub after its last
# section, each at the next SectionAlignment boundary.
#
#   mkuki.sh STUB KERNEL INITRD CMDLINE OUT
set -eu
[ $# -eq 5 ] || { echo "usage: $0 STUB KERNEL INITRD CMDLINE OUT" >&2; exit 2; }
stub=$1 kernel=$2 initrd=$3 cmdline=$4 out=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$cmdline" >"$tmp/cmdline"    # ukify and most recipes end it with a newline
printf 'ID=kexe-e2e\nNAME="kexe e2e"\n' >"$tmp/osrel"

align=$((16#$(objdump -p "$stub" | awk '$1 == "SectionAlignment" { print $2 }')))
# the end of the stub's last section in memory (objdump -h: Idx Name Size VMA LMA Off Algn)
end=0
while read -r size vma; do
    [ $((16#$vma + 16#$size)) -le "$end" ] || end=$((16#$vma + 16#$size))
done < <(objdump -h "$stub" | awk 'NF == 7 && $1 ~ /^[0-9]+$/ { print $3, $4 }')

args=() at=$end
for part in osrel:"$tmp/osrel" cmdline:"$tmp/cmdline" linux:"$kernel" initrd:"$initrd"; do
    name=${part%%:*} file=${part#*:}
    at=$(( (at + align - 1) / align * align ))
    args+=(--add-section ".$name=$file" --change-section-vma ".$name=$(printf 0x%x "$at")")
    at=$((at + $(stat -Lc %s "$file")))
done
objcopy "${args[@]}" "$stub" "$out.tmp"
mv "$out.tmp" "$out"
