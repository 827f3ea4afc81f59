/* Writing a bundle's sections back out as files: `kexe extract` and `./bundle --extract`. */
#ifndef KEXE_EXTRACT_H
#define KEXE_EXTRACT_H

#include "err.h"
#include "format.h"

/* Decodes every section of the validated bundle b (open at fd) into directory dir, created if
 * missing: kernel, initrd-0, initrd-1, ..., cmdline (exact bytes, no newline added) and
 * metadata. Refuses to follow a symlink at any of those names. Every checksum is verified. */
int kexe_extract(int fd, const struct kexe_bundle *b, const char *dir, struct kexe_err *err);

/* The file name kexe_extract uses for section s (index counts sections of its type). */
void kexe_extract_name(const struct kexe_section *s, unsigned index, char *out, size_t size);

#endif
