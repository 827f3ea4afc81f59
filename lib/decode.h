/* Turning one section of a validated bundle back into its original bytes. */
#ifndef KEXE_DECODE_H
#define KEXE_DECODE_H

#include <stdint.h>

#include "err.h"
#include "format.h"

/* Called after each chunk with the number of original bytes just produced. */
typedef void (*kexe_progress_fn)(void *ctx, uint64_t bytes);

/* Decodes section s (from a bundle validated by kexe_bundle_open on fd) into dst, which must
 * hold s->original_size bytes. Verifies the stored bytes' checksum, that an LZ4 frame decodes
 * to exactly original_size bytes (never writing past dst) with its own content checksum, and
 * the original bytes' checksum. progress may be NULL. Returns 0, or -1 with err set
 * (KEXE_EXIT_BUNDLE for any mismatch); dst content is then unspecified. */
int kexe_section_decode(int fd, const struct kexe_section *s, unsigned char *dst,
			kexe_progress_fn progress, void *ctx, struct kexe_err *err);

/* The same, and after reading each chunk of stored bytes punches it out of the file open
 * (writable) at release_fd (FALLOC_FL_PUNCH_HOLE), so its pages are freed as the payload is
 * unpacked. The bundle file is then used up. release_fd -1 releases nothing. */
int kexe_section_decode_release(int fd, const struct kexe_section *s, unsigned char *dst,
				kexe_progress_fn progress, void *ctx, int release_fd,
				struct kexe_err *err);

/* Decodes the first len bytes of section s into dst (fewer when the section is shorter; the
 * count is returned in *got) without verifying checksums: enough to probe a kernel header
 * before deciding to unpack the rest. kexe_section_decode() verifies it later. */
int kexe_section_peek(int fd, const struct kexe_section *s, unsigned char *dst, size_t len,
		      size_t *got, struct kexe_err *err);

/* Reads a small section (cmdline, metadata) into a new NUL-terminated heap buffer. */
int kexe_section_read_small(int fd, const struct kexe_section *s, char **out, struct kexe_err *err);

#endif
