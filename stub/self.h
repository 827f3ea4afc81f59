/* Finding the bundle file this process was started from. */
#ifndef KEXE_SELF_H
#define KEXE_SELF_H

#include <stddef.h>

#include "err.h"

/* The path of this program's own file: /proc/self/exe's target when /proc is mounted, else the
 * path the kernel recorded at exec (AT_EXECFN), else argv0 (searched in $PATH when it has no
 * slash). Returns 0, or -1 with err (KEXE_EXIT_IO) saying how to run it instead. */
int kexe_self_path(const char *argv0, char *path, size_t size, struct kexe_err *err);

/* Opens that file read-only; returns the descriptor or -1 with err. */
int kexe_open_self(const char *argv0, struct kexe_err *err);

#endif
