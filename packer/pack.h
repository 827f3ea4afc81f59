/* `kexe pack`: inputs in, one bundle out. */
#ifndef KEXE_PACK_H
#define KEXE_PACK_H

#include "err.h"
#include "format.h"

#define PACK_MAX_APPEND 32

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
	uint32_t arch;	       /* --arch: the kernel must be for it (enum kexe_arch_id); 0: any */
	int lz4_level;
	int shell_form;	     /* --format sh: write the .sh form (see wrap.h) */
	const char *url;     /* --url: where the .sh form will be served, for the one-liners */
	int print_oneliners; /* --print-oneliners, or stdout is a terminal */
	const char *uki;     /* --uki: kernel, initrds and command line from this UKI */
	const char *append[PACK_MAX_APPEND]; /* --append: added to the command line, in order */
	unsigned n_append;
	int nixos_anywhere; /* --format nixos-anywhere: the tarball nixos-anywhere --kexec takes */
};

/* Writes the bundle described by a to a->output atomically (temporary file in the same
 * directory, fsync, chmod 0755, rename), after checking the kernel and the command line.
 * Refuses an output path that is one of the inputs. Prints a summary on stdout and, when
 * a->print_oneliners, the commands that run the bundle on a host. */
int kexe_pack(const struct pack_args *a, struct kexe_err *err);

#endif
