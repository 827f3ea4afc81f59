/* --reuse-console and --reuse-cmdline: arguments of the running kernel's command line
 * (/proc/cmdline, read through the seam so tests give their own) carried into the new one. */
#ifndef KEXE_REUSE_H
#define KEXE_REUSE_H

#include "err.h"

/* Reads the running kernel's command line, without its newline, into *out (heap). Returns 0, or
 * -1 with err (KEXE_EXIT_IO) naming the option that needed it. */
int kexe_reuse_read(const char *option, char **out, struct kexe_err *err);

/* The running command line without what only its own boot can use: BOOT_IMAGE= (the boot
 * loader's name for the old kernel), initrd= (the old initrd's file, read by the EFI stub and
 * some boot loaders), elfcorehdr= (makes the new kernel a crash kernel reading a vmcore) and
 * kexec_jump_back_entry= (kexec jump's return address). Heap; NULL when out of memory. */
char *kexe_reuse_cmdline(const char *running);

/* Appends to *line (heap, reallocated) each console=, earlycon and earlyprintk argument of
 * running, in its order, that *line does not already hold identically. Arguments after "--"
 * belong to init and are not carried. Returns 0, or -1 when out of memory (*line unchanged). */
int kexe_reuse_consoles(char **line, const char *running);

#endif
