/* Disk staging: the unpacked payload in unlinked files on a disk-backed file system instead of
 * memfds, so our copy is page cache the kernel can write back and reclaim, not anonymous
 * memory. */
#ifndef KEXE_STAGE_H
#define KEXE_STAGE_H

#include <stdint.h>

#include "err.h"

/* The first of the usual writable, disk-backed directories (not tmpfs or ramfs) with room for
 * bytes: /var/tmp, /var/cache, /root, /. Returns NULL when there is none. */
const char *kexe_stage_find(uint64_t bytes);

/* Checks that dir is writable, disk-backed and has room for bytes; -1 with err when not. */
int kexe_stage_check(const char *dir, uint64_t bytes, struct kexe_err *err);

/* A new unlinked file in dir, open read-write: an O_TMPFILE, or where the file system has none
 * a file created under a random name with O_EXCL | O_NOFOLLOW and unlinked at once. Names
 * planted in dir can neither make this fail nor be written through. */
int kexe_stage_open(const char *dir, struct kexe_err *err);

/* kexec_file_load refuses a file that is open for writing (ETXTBSY): returns a read-only
 * descriptor of the same file and closes rw_fd. Reopened through /proc/self/fd, or without
 * /proc through a random name linked for the moment, opened with O_NOFOLLOW; either way the
 * result must be the same inode, so a name another user swaps in is never loaded. A file
 * from the no-O_TMPFILE fallback has no name left to link: it needs /proc (else a message). */
int kexe_stage_seal(const char *dir, int rw_fd, struct kexe_err *err);

#endif
