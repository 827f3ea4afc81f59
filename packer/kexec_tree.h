/* Reading a NixOS kexec tree (system.build.kexecTree): bzImage, an initrd and a kexec-boot
 * bash script whose `kexec --load` line names them and gives the command line. */
#ifndef KEXE_KEXEC_TREE_H
#define KEXE_KEXEC_TREE_H

#include <stddef.h>

#include "err.h"

struct kexec_tree {
	char kernel[4096]; /* path inside the tree directory */
	char initrd[4096]; /* empty when the script gives none */
	char *cmdline;	   /* heap; "" when the script gives none */
};

/* Parses script text (the kexec-boot file's content; need not be NUL-terminated) of a tree in
 * dir. Joins backslash continuations, finds the `kexec --load`/`-l` command and takes the
 * kernel, --initrd and --command-line/--append values from it, with shell quoting. Files are
 * looked up by their base name in dir, since the script refers to its own directory.
 * Returns 0, or -1 with err (KEXE_EXIT_USAGE) saying what the script lacks. */
int kexec_tree_parse(const char *dir, const char *script, size_t len, struct kexec_tree *t,
		     struct kexe_err *err);

/* Reads dir/kexec-boot and parses it as above. */
int kexec_tree_load(const char *dir, struct kexec_tree *t, struct kexe_err *err);

#endif
