/* `kexe info`, `kexe verify` and `kexe extract` on any bundle. */
#ifndef KEXE_INSPECT_H
#define KEXE_INSPECT_H

#include "err.h"

/* Prints what the bundle at path holds (kexe_info_print). */
int inspect_info(const char *path, struct kexe_err *err);

/* Validates the bundle at path completely: trailer, table, loader checksum, every section
 * decoded and checked, the kernel header probed. Prints one "ok" line on success. */
int inspect_verify(const char *path, struct kexe_err *err);

/* Writes the sections of the bundle at path into dir (kexe_extract). */
int inspect_extract(const char *path, const char *dir, struct kexe_err *err);

#endif
