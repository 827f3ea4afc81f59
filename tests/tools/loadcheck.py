#!/usr/bin/env python3
"""Checks what the fake seam was handed against what was packed.

    loadcheck.py --arch x86_64|arm64 --log SEAM_LOG --dump DUMP_DIR --kernel FILE
                 --initrd FILE [--carried PATH=FILE] --cmdline-file FILE
    loadcheck.py --batch FILE      (one NAME<TAB>ARGUMENTS line per check, tab-separated)

The fake seam (stub/seam_fake.c) logs every kexec call and dumps the bytes it was given:
kexec_file_load as DUMP/kernel, DUMP/initrd and DUMP/cmdline, kexec_load as DUMP/segment-N.
The last load call in the log is the one checked. --initrd is every byte the initrd must hold
(an empty file: none); with --carried the initrd must continue, 4-byte aligned, with a newc
cpio archive that holds PATH with FILE's bytes. Prints one line "ok <call>" or the first
difference, and exits 1 on a difference. With --batch: "PASS NAME: ..." or "FAIL NAME: ..." for
each line (one interpreter for hundreds of checks).
"""
import argparse
import re
import struct
import sys


class Mismatch(Exception):
    pass


def read(path):
    with open(path, "rb") as f:
        return f.read()


def last_load(log):
    """The last load call: ("kexec_file_load", fields) or ("kexec_load", [segments])."""
    call = None
    for line in log.splitlines():
        m = re.match(r"kexec_file_load kernel=(\d+) initrd=(\d+) flags=(\d+)", line)
        if m:
            call = ("kexec_file_load", {"flags": int(m.group(3))})
            continue
        if line.startswith("kexec_load entry="):
            call = ("kexec_load", [])
            continue
        m = re.match(r"segment (\d+) mem=(0x[0-9a-f]+|0) memsz=(0x[0-9a-f]+|0) bufsz=(0x[0-9a-f]+|0)",
                     line)
        if m and call and call[0] == "kexec_load":
            call[1].append({"mem": int(m.group(2), 16), "memsz": int(m.group(3), 16),
                            "bufsz": int(m.group(4), 16)})
    if not call:
        raise Mismatch("the seam was never asked to load anything")
    return call


def fdt_chosen(blob):
    """The properties of /chosen in a flattened device tree."""
    magic, _total, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
    if magic != 0xD00DFEED:
        raise Mismatch("the device tree segment is not a device tree")
    pos, path, props = off_struct, [], {}
    while True:
        (token,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if token == 1:  # FDT_BEGIN_NODE
            end = blob.index(b"\0", pos)
            path.append(blob[pos:end].decode())
            pos = (end + 4) & ~3
        elif token == 2:  # FDT_END_NODE
            path.pop()
        elif token == 3:  # FDT_PROP
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            name = blob[off_strings + nameoff:blob.index(b"\0", off_strings + nameoff)].decode()
            if path == ["", "chosen"]:
                props[name] = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
        elif token == 4:  # FDT_NOP
            continue
        elif token == 9:  # FDT_END
            return props
        else:
            raise Mismatch("device tree: bad token %d" % token)


def be_int(b):
    return int.from_bytes(b, "big")


def from_file_load(fields, dump):
    initrd = read(dump + "/initrd")
    if bool(fields["flags"] & 4) != (len(initrd) == 0):
        raise Mismatch("kexec_file_load: KEXEC_FILE_NO_INITRAMFS is %s with a %d-byte initrd"
                       % ("set" if fields["flags"] & 4 else "clear", len(initrd)))
    return read(dump + "/kernel"), initrd, read(dump + "/cmdline")


def from_x86_kexec_load(segs, dump, kernel):
    """kernel (without its setup sectors), boot_params + command line, [initrd], purgatory."""
    if len(segs) not in (3, 4):
        raise Mismatch("x86_64 kexec_load: %d segments, expected 3 or 4" % len(segs))
    setup = ((kernel[0x1F1] or 4) + 1) * 512
    params = read(dump + "/segment-1")
    initrd = read(dump + "/segment-2") if len(segs) == 4 else b""
    image = struct.unpack_from("<I", params, 0x218)[0] | struct.unpack_from("<I", params, 0xC0)[0] << 32
    size = struct.unpack_from("<I", params, 0x21C)[0] | struct.unpack_from("<I", params, 0xC4)[0] << 32
    if size != len(initrd) or (initrd and image != segs[2]["mem"]):
        raise Mismatch("boot_params names a %d-byte initrd at %#x; the initrd segment is %d bytes"
                       " at %#x" % (size, image, len(initrd), segs[2]["mem"] if initrd else 0))
    cmd_ptr = struct.unpack_from("<I", params, 0x228)[0]
    if cmd_ptr != segs[1]["mem"] + 4096:
        raise Mismatch("boot_params' cmd_line_ptr %#x is not after it" % cmd_ptr)
    cmdline = params[4096:params.index(b"\0", 4096)]
    return kernel[:setup] + read(dump + "/segment-0"), initrd, cmdline


def from_arm64_kexec_load(segs, dump):
    """Image, initrd (an empty page when there is none), device tree, purgatory."""
    if len(segs) != 4:
        raise Mismatch("arm64 kexec_load: %d segments, expected 4" % len(segs))
    initrd = read(dump + "/segment-1")
    chosen = fdt_chosen(read(dump + "/segment-2"))
    start = be_int(chosen.get("linux,initrd-start", b""))
    end = be_int(chosen.get("linux,initrd-end", b""))
    if start != segs[1]["mem"]:
        raise Mismatch("/chosen's linux,initrd-start %#x is not the initrd segment (%#x)"
                       % (start, segs[1]["mem"]))
    if initrd and end - start != len(initrd):
        raise Mismatch("/chosen names %d initrd bytes, the segment holds %d"
                       % (end - start, len(initrd)))
    if not initrd and segs[1]["memsz"] < 4096:
        raise Mismatch("no initrd, and no empty page in its place")
    return read(dump + "/segment-0"), initrd, chosen.get("bootargs", b"\0").rstrip(b"\0")


def cpio_files(data):
    """{name: bytes} of a newc cpio archive."""
    files, pos = {}, 0
    while pos + 110 <= len(data):
        hdr = data[pos:pos + 110]
        if hdr[:6] not in (b"070701", b"070702"):
            raise Mismatch("the carried archive is not newc cpio at byte %d" % pos)
        size, namesize = int(hdr[54:62], 16), int(hdr[94:102], 16)
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        if name == "TRAILER!!!":
            return files
        files[name.lstrip("/")] = data[pos:pos + size]
        pos = (pos + size + 3) & ~3
    raise Mismatch("the carried archive has no trailer")


def check(argv):
    """Returns "ok <call>" or "FAIL <first difference>"."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True, choices=["x86_64", "arm64"])
    ap.add_argument("--log", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--carried")
    ap.add_argument("--cmdline-file", required=True)
    a = ap.parse_args(argv)
    kernel, want_initrd = read(a.kernel), read(a.initrd)
    try:
        call, info = last_load(read(a.log).decode())
        if call == "kexec_file_load":
            got = from_file_load(info, a.dump)
        elif a.arch == "x86_64":
            got = from_x86_kexec_load(info, a.dump, kernel)
        else:
            got = from_arm64_kexec_load(info, a.dump)
        got_kernel, got_initrd, got_cmdline = got
        if got_kernel != kernel:
            raise Mismatch("%s: the kernel differs (%d bytes, packed %d)"
                           % (call, len(got_kernel), len(kernel)))
        if got_cmdline != read(a.cmdline_file):
            raise Mismatch("%s: command line %r, expected %r"
                           % (call, got_cmdline, read(a.cmdline_file)))
        if got_initrd[:len(want_initrd)] != want_initrd:
            raise Mismatch("%s: the initrd differs within the packed bytes (%d bytes handed, "
                           "%d expected)" % (call, len(got_initrd), len(want_initrd)))
        tail = got_initrd[(len(want_initrd) + 3) & ~3:]
        if a.carried:
            path, src = a.carried.split("=", 1)
            files = cpio_files(tail)
            if files.get(path.lstrip("/")) != read(src):
                raise Mismatch("%s: the carried archive lacks %s or holds other bytes"
                               % (call, path))
        elif len(got_initrd) != len(want_initrd):
            raise Mismatch("%s: the initrd is %d bytes, expected %d"
                           % (call, len(got_initrd), len(want_initrd)))
    except (Mismatch, OSError, struct.error, ValueError) as e:
        return "FAIL %s" % e
    return "ok %s" % call


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--batch":
        failed = 0
        with open(sys.argv[2]) as f:
            for line in f:
                name, note, *argv = line.rstrip("\n").split("\t")
                res = check(argv)
                failed += res.startswith("FAIL")
                print("%s %s: %s" % ("FAIL" if res.startswith("FAIL") else "PASS", name,
                                     note + " -> " + res.split(" ", 1)[1]))
        return 1 if failed else 0
    res = check(sys.argv[1:])
    print(res)
    return 1 if res.startswith("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main())
