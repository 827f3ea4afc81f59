/* `kexe info`, `kexe verify` and `kexe extract` on any bundle. */
#ifndef KEXE_INSPECT_H
#define KEXE_INSPECT_H

#include "err.h"
#include "format.h"
#include "kernel.h"

/* Prints what the bundle at path holds (kexe_info_print). */
int inspect_info(const char *path, struct kexe_err *err);

/* Validates the bundle at path completely: trailer, table, loader checksum, every section
 * decoded and checked, the kernel header probed. Prints one "ok" line on success. */
int inspect_verify(const char *path, struct kexe_err *err);

/* The checks of inspect_verify without its output: *b is the bundle as read (when its trailer
 * and table were valid) and *kernel its kernel's header (when not NULL and it was reached). */
int inspect_check(const char *path, const struct kexe_bundle **b, struct kexe_kernel_info *kernel,
		  struct kexe_err *err);

/* `kexe info --json` and `kexe verify --json`: one JSON document on stdout (docs/JSON.md),
 * also when the bundle is refused; err is set then as without --json. */
int inspect_info_json(const char *path, struct kexe_err *err);
int inspect_verify_json(const char *path, struct kexe_err *err);

/* Writes the sections of the bundle at path into dir (kexe_extract). */
int inspect_extract(const char *path, const char *dir, struct kexe_err *err);

#endif
