/* Carrying host state into the new system: an extra newc initrd, built at run time and loaded
 * after the bundle's initrds. The layout follows nix-community/nixos-images' kexec installer so
 * its NixOS images pick the files up unchanged (docs/CARRY.md):
 *   ssh/authorized_keys, ssh/ssh_host_*          (--carry-ssh-keys)
 *   addrs.json, routes-v4.json, routes-v6.json,  (--carry-network; `ip -json` shapes)
 *   machine-id, etc/resolv.conf
 *   DEST                                         (--carry-file SRC:DEST) */
#ifndef KEXE_CARRY_H
#define KEXE_CARRY_H

#include "cpio.h"
#include "err.h"
#include "options.h"

/* Builds the archive the options ask for into c (initialised here; c->size is 0 when nothing
 * is carried). Host files are read through the seam. A carried file that cannot be read is an
 * error (KEXE_EXIT_IO), not silently dropped; absent optional sources (no authorized_keys2, no
 * resolv.conf) are skipped. */
int kexe_carry_build(const struct stub_options *o, struct kexe_cpio *c, struct kexe_err *err);

#endif
