/* Writing a gzip'd tar archive in one pass, without zlib: ustar headers, and the gzip stream
 * made of stored (uncompressed) deflate blocks. The files kexe puts in a tarball are a bundle
 * (already LZ4-compressed) and a short script, so compressing again would gain little; any
 * gzip and tar reader (GNU, busybox, bsdtar) unpacks the result. */
#ifndef KEXE_TARGZ_H
#define KEXE_TARGZ_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "err.h"

/* Largest member: what a ustar size field (11 octal digits) holds. */
#define KEXE_TAR_MAX_SIZE 077777777777ull
/* Longest member name (the ustar name field without prefix). */
#define KEXE_TAR_MAX_NAME 99
/* Bytes of data in one stored deflate block. */
#define KEXE_DEFLATE_STORED_MAX 65535

struct kexe_targz {
	int fd;
	const char *what; /* the output, in messages */
	uint32_t crc;	  /* CRC-32 of the uncompressed bytes so far */
	uint64_t total;	  /* uncompressed bytes so far */
	size_t used;	  /* bytes waiting in block */
	unsigned char block[5 + KEXE_DEFLATE_STORED_MAX];
};

/* Starts the gzip stream on fd (at its current offset). mtime 0, no file name: reproducible. */
int kexe_targz_begin(struct kexe_targz *t, int fd, const char *what, struct kexe_err *err);

/* Adds a directory entry name (ending in '/'), owned by root, dated mtime. */
int kexe_targz_dir(struct kexe_targz *t, const char *name, unsigned mode, uint64_t mtime,
		   struct kexe_err *err);

/* Adds a regular file of size bytes from data. progress (may be NULL) is told the bytes
 * written. */
int kexe_targz_file(struct kexe_targz *t, const char *name, unsigned mode, uint64_t mtime,
		    const void *data, uint64_t size, kexe_progress_fn progress, void *ctx,
		    struct kexe_err *err);

/* Ends the archive (two zero blocks, padded to a 10240-byte record) and the gzip stream. */
int kexe_targz_finish(struct kexe_targz *t, struct kexe_err *err);

/* CRC-32 (ISO 3309, as gzip uses it) of len bytes continuing from crc (0 to start). */
uint32_t kexe_crc32(uint32_t crc, const void *data, size_t len);

/* The 512-byte ustar header for a member; -1 with err when name or size do not fit. */
int kexe_tar_header(unsigned char out[512], const char *name, unsigned mode, char type,
		    uint64_t size, uint64_t mtime, struct kexe_err *err);

#endif
