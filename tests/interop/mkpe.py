#!/usr/bin/env python3
"""Write a minimal PE32+ EFI image with the named sections, the layout of a Unified Kernel
Image (systemd-stub's own code is left out: kexe reads only the section table).

    mkpe.py OUT NAME=FILE...      e.g. mkpe.py uki.efi .linux=bzImage .initrd=a.cpio .cmdline=c

Section data is placed at 512-byte file alignment, with VirtualSize the exact size and
SizeOfRawData rounded up, as objcopy and ukify write them."""
import struct
import sys

PE_AT = 0x80
OPTIONAL = 240  # PE32+ optional header with 16 data directories
ALIGN = 512


def main():
    out, parts = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    datas = [open(path, "rb").read() for _, path in parts]
    table = PE_AT + 4 + 20 + OPTIONAL
    offset = (table + 40 * len(parts) + ALIGN - 1) // ALIGN * ALIGN
    header = bytearray(offset)
    header[0:2] = b"MZ"
    struct.pack_into("<I", header, 0x3C, PE_AT)
    header[PE_AT:PE_AT + 4] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", header, PE_AT + 4, 0x8664, len(parts), 0, 0, 0, OPTIONAL, 0x22)
    struct.pack_into("<H", header, PE_AT + 24, 0x20B)
    body = bytearray()
    vaddr = 0x10000
    for i, ((name, _), data) in enumerate(zip(parts, datas)):
        raw = (len(data) + ALIGN - 1) // ALIGN * ALIGN
        entry = struct.pack("<8sIIII12xI", name.encode(), len(data), vaddr, raw,
                            offset + len(body), 0x40000040)
        header[table + 40 * i:table + 40 * (i + 1)] = entry
        body += data + bytes(raw - len(data))
        vaddr += (raw + 0xFFF) // 0x1000 * 0x1000
    with open(out, "wb") as f:
        f.write(header + body)


if __name__ == "__main__":
    main()
