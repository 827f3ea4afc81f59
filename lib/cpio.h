/* A newc ("070701") cpio writer, in memory: the format the kernel unpacks from an initrd.
 * Used to carry host state (keys, network, files) into the new system as one extra initrd. */
#ifndef KEXE_CPIO_H
#define KEXE_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Largest archive and path the writer makes; carried state is small. */
#define KEXE_CPIO_MAX_SIZE (64u << 20)
#define KEXE_CPIO_MAX_PATH 1024

struct kexe_cpio {
	unsigned char *data; /* the archive so far */
	size_t size;
	size_t capacity;
	uint32_t next_ino;
};

/* Starts an empty archive. */
void kexe_cpio_init(struct kexe_cpio *c);

/* Adds a directory entry. path is relative ("root/.ssh"), without "." or ".." components,
 * leading or doubled slashes; mode holds the permission bits (e.g. 0700). Parent directories
 * are not implied: add them first. Entries are owned by root and dated 0 (reproducible). */
int kexe_cpio_add_dir(struct kexe_cpio *c, const char *path, uint32_t mode, struct kexe_err *err);

/* Adds a regular file with len bytes of data; path and mode as above. */
int kexe_cpio_add_file(struct kexe_cpio *c, const char *path, uint32_t mode, const void *data,
		       size_t len, struct kexe_err *err);

/* Adds every missing parent directory of path (mode 0755), then nothing else. Directories
 * already added by this function are not repeated. */
int kexe_cpio_add_parents(struct kexe_cpio *c, const char *path, struct kexe_err *err);

/* Appends the TRAILER!!! entry; the archive is then complete. */
int kexe_cpio_finish(struct kexe_cpio *c, struct kexe_err *err);

/* Frees the archive's memory. */
void kexe_cpio_free(struct kexe_cpio *c);

/* Non-zero when path is acceptable to the functions above. */
int kexe_cpio_path_ok(const char *path);

#endif
