/* Writing a bundle's sections back out as files: `kexe extract` and `./bundle --extract`. */
#ifndef KEXE_EXTRACT_H
#define KEXE_EXTRACT_H

#include "err.h"
#include "format.h"

/* Decodes every section of the validated bundle b (open at fd) into directory dir, which it
 * creates: kernel, initrd-0, initrd-1, ..., cmdline (exact bytes, no newline added) and
 * metadata. A dir that exists (also as a symlink) is refused (KEXE_EXIT_USAGE); files are
 * created relative to the new directory with O_EXCL | O_NOFOLLOW. Every checksum is verified;
 * on a failure what was written and the directory are removed again. */
int kexe_extract(int fd, const struct kexe_bundle *b, const char *dir, struct kexe_err *err);

/* The file name kexe_extract uses for section s (index counts sections of its type). */
void kexe_extract_name(const struct kexe_section *s, unsigned index, char *out, size_t size);

#endif
