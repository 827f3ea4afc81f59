#!/bin/bash
# Print the path of a copy of KERNEL (a signed or unsigned x86_64 bzImage) signed with the
# snakeoil key of Debian's ovmf package, the key OVMF_VARS_4M.snakeoil.fd enrolls in PK, KEK
# and db. A kernel booted with those UEFI variables loads db into its platform keyring, which
# kexec_file_load checks signatures against, so under lockdown it loads this copy and refuses
# Debian's original (signed by a key that keyring does not hold).
#
#   sign-kernel.sh KERNEL
#
# The copy's existing signatures are removed first: with Debian's still first, the kernel
# refuses the copy even with the snakeoil signature added. The copy is cached under
# $CACHE/e2e/signed-kernel, keyed by the kernel, the certificate and this script; the key,
# decrypted with the password Debian documents ('snakeoil'), exists only in a temporary
# directory there while signing. Needs sbsigntool and ovmf.
set -eu
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: sign-kernel.sh KERNEL"
kernel=$1
: "${E2E_SNAKEOIL_KEY:=/usr/share/ovmf/PkKek-1-snakeoil.key}"
: "${E2E_SNAKEOIL_CERT:=/usr/share/ovmf/PkKek-1-snakeoil.pem}"
for t in sbsign sbattach sbverify; do
    command -v "$t" >/dev/null || die "$t not found (apt-get install sbsigntool)"
done
[ -r "$E2E_SNAKEOIL_KEY" ] && [ -r "$E2E_SNAKEOIL_CERT" ] ||
    die "$E2E_SNAKEOIL_KEY or $E2E_SNAKEOIL_CERT missing (apt-get install ovmf)"

dir="$CACHE/e2e/signed-kernel"
out="$dir/$(cache_key "$0" "$kernel" "$E2E_SNAKEOIL_CERT")/vmlinuz"
if [ -s "$out" ]; then
    printf '%s\n' "$out"
    exit 0
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$kernel" "$tmp/unsigned"
while sbattach --remove "$tmp/unsigned" >/dev/null 2>&1; do :; done
openssl pkey -in "$E2E_SNAKEOIL_KEY" -passin pass:snakeoil -out "$tmp/key" 2>"$tmp/err" ||
    die "cannot decrypt $E2E_SNAKEOIL_KEY: $(tail -n1 "$tmp/err")"
sbsign --key "$tmp/key" --cert "$E2E_SNAKEOIL_CERT" --output "$tmp/signed" "$tmp/unsigned" \
    >"$tmp/err" 2>&1 || die "sbsign failed: $(tail -n1 "$tmp/err")"
sbverify --cert "$E2E_SNAKEOIL_CERT" "$tmp/signed" >"$tmp/err" 2>&1 ||
    die "sbverify rejects the signed kernel: $(tail -n1 "$tmp/err")"
mkdir -p "$(dirname "$out")"
mv "$tmp/signed" "$out"
printf '%s\n' "$out"
