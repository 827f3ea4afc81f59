/* Whole-buffer file I/O that retries short transfers and EINTR and reports failures as
 * kexe errors (KEXE_EXIT_IO, or KEXE_EXIT_BUNDLE when the file ends early). */
#ifndef KEXE_IO_H
#define KEXE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Reads exactly len bytes at off. A file that ends first is a truncated bundle. When fd is the
 * descriptor a stream is attached to (stream.h), reads the streamed bundle instead. */
int kexe_pread_full(int fd, void *buf, size_t len, uint64_t off, struct kexe_err *err);

/* Writes exactly len bytes at the current offset; what names the file in messages. */
int kexe_write_full(int fd, const void *buf, size_t len, const char *what, struct kexe_err *err);

/* Writes exactly len bytes at off, leaving the file offset alone. */
int kexe_pwrite_full(int fd, const void *buf, size_t len, uint64_t off, const char *what,
		     struct kexe_err *err);

/* Size of the regular file or memfd open at fd, or of the streamed bundle (stream.h). */
int kexe_file_size(int fd, uint64_t *size, struct kexe_err *err);

#endif
