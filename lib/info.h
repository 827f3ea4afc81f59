/* Human-readable description of a bundle: `kexe info` and `./bundle --info`. */
#ifndef KEXE_INFO_H
#define KEXE_INFO_H

#include <stdio.h>

#include "format.h"

/* Prints the trailer fields, every section (type, compression, sizes, checksums), the command
 * line and the metadata of the validated bundle b open at fd. Returns 0, or -1 with err when
 * the cmdline or metadata section cannot be read. */
int kexe_info_print(FILE *out, int fd, const struct kexe_bundle *b, struct kexe_err *err);

#endif
