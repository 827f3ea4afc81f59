#!/bin/bash
# Print the path of a directory holding kexec-tools' /sbin/kexec plus every
# shared library it loads (glibc's loader, libc, libxenctrl, liblzma, ...),
# laid out as a root file system fragment to copy into a stage-1 initrd.
# kexec-tools and its library packages are fetched with `apt-get download`
# and unpacked with dpkg-deb -x: nothing is installed on the host.
set -eu
. "$(dirname "$0")/lib.sh"

dir="$CACHE/e2e/kexec-tools"
mkdir -p "$dir/debs"

ver=$(apt-cache show --no-all-versions kexec-tools 2>/dev/null | awk '/^Version:/ { print $2; exit }')
[ -n "$ver" ] || die "cannot resolve kexec-tools (run apt-get update)"
out="$dir/root-$ver"
if [ -x "$out/sbin/kexec" ]; then printf '%s\n' "$out"; exit 0; fi

# kexec-tools and the library packages it depends on, recursively.
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances --no-pre-depends kexec-tools |
    grep -E '^(kexec-tools|lib[^ ]*)$' | sort -u)
log "fetching kexec-tools $ver and its libraries"
(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root $pkgs >&2)

tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for p in $pkgs; do
    deb=$(ls "$dir/debs/${p}_"*.deb | tail -n1)
    dpkg-deb -x "$deb" "$tmp/sys"
done

# Copy kexec and, following DT_NEEDED, each library it needs from the
# unpacked packages (never from the host), keeping the paths.
libdirs="$tmp/sys/lib/x86_64-linux-gnu $tmp/sys/usr/lib/x86_64-linux-gnu $tmp/sys/lib64"
copy() {   # copy PATH-IN-SYS (resolving symlinks) to the same place in root
    local rel=$1
    mkdir -p "$tmp/root/$(dirname "$rel")"
    cp -L "$tmp/sys/$rel" "$tmp/root/$rel"
}
copy sbin/kexec
interp=$(readelf -l "$tmp/sys/sbin/kexec" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
copy "${interp#/}"
todo="sbin/kexec" done=
while [ -n "$todo" ]; do
    set -- $todo; f=$1; shift; todo="$*"
    for lib in $(readelf -d "$tmp/root/$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        case " $done " in *" $lib "*) continue ;; esac
        done="$done $lib"
        found=
        for d in $libdirs; do
            if [ -e "$d/$lib" ]; then found=${d#"$tmp/sys/"}/$lib; break; fi
        done
        [ -n "$found" ] || die "kexec needs $lib, not found in the fetched packages"
        copy "$found"
        todo="$todo $found"
    done
done
log "kexec-tools libraries:$done"
mv "$tmp/root" "$out"
printf '%s\n' "$out"
