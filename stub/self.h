/* Finding the bundle file this process was started from. */
#ifndef KEXE_SELF_H
#define KEXE_SELF_H

#include "err.h"

/* Opens this program's own file read-only: /proc/self/exe when /proc is mounted, else the
 * path the kernel recorded at exec (AT_EXECFN), else argv0 (searched in $PATH when it has no
 * slash). Returns the descriptor, or -1 with err (KEXE_EXIT_IO) saying how to run it instead. */
int kexe_open_self(const char *argv0, struct kexe_err *err);

#endif
