/* `kexe pack`: inputs in, one bundle out. */
#ifndef KEXE_PACK_H
#define KEXE_PACK_H

#include "err.h"
#include "format.h"

struct pack_args {
	const char *kernel;
	const char *initrds[KEXE_MAX_INITRDS];
	unsigned n_initrds;
	const char *cmdline; /* NULL: from the kexec tree, else empty */
	const char *kexec_tree;
	const char *name;
	const char *output;
	const char *stub_path; /* testing: use this stub instead of the embedded one */
	int unchecked_kernel;  /* testing: skip the kernel header check */
	int lz4_level;
};

/* Writes the bundle described by a to a->output atomically (temporary file in the same
 * directory, fsync, chmod 0755, rename), after checking the kernel and the command line.
 * Refuses an output path that is one of the inputs. Prints a summary on stdout. */
int kexe_pack(const struct pack_args *a, struct kexe_err *err);

#endif
