/* The nixos-anywhere form of a bundle: a gzip'd tarball holding kexec/run and the bundle, which
 * `nixos-anywhere --kexec FILE` unpacks and runs on the target like nixos-images' kexec
 * installer tarball (docs/NIXOS-ANYWHERE.md). */
#ifndef KEXE_NIXOS_ANYWHERE_H
#define KEXE_NIXOS_ANYWHERE_H

#include "err.h"
#include "input.h"

/* The bundle's name inside the tarball's kexec/ directory. */
#define KEXE_NIXOS_ANYWHERE_BUNDLE "kexe-bundle"

/* kexec/run: a POSIX sh script that runs the bundle with --detach, --consume and the carry
 * flags, translates --kexec-extra-flags, and prints "machine will boot into nixos in Ns..."
 * once the kernel is loaded. */
extern const char kexe_nixos_anywhere_run[];

/* Writes the tarball (kexec/, kexec/run, kexec/kexe-bundle; owned by root, dated 0) for the
 * bundle to fd; what names the output in messages. */
int kexe_nixos_anywhere_write(int fd, const char *what, const struct input_file *bundle,
			      struct kexe_err *err);

/* Writes the tarball for the bundle file at bundle_path to output atomically (temporary file
 * in the same directory, fsync, rename). Does not check that it is a valid bundle. */
int kexe_nixos_anywhere_file(const char *bundle_path, const char *output, struct kexe_err *err);

/* `kexe wrap --format nixos-anywhere BUNDLE -o OUT`: checks that BUNDLE is a valid bundle
 * (trailer, table, loader checksum), writes the tarball and prints a summary. */
int kexe_nixos_anywhere_wrap(const char *bundle_path, const char *output, struct kexe_err *err);

#endif
