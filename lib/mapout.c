#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mapout.h"

/* Allocates [0, size) by writing zeros, for file systems without fallocate (ext4 without
 * extents, older NFS): slower, but the blocks exist before the mapping writes them. Returns
 * 0 or an errno. */
static int write_zeros(int fd, uint64_t size)
{
	static unsigned char zeros[65536]; /* not const: in .bss, not in the loader file */

	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof zeros ? (size_t)(size - off) : sizeof zeros;
		ssize_t w = pwrite(fd, zeros, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : ENOSPC;
		off += (uint64_t)w;
	}
	return 0;
}

/* Room for the whole file before it is mapped: a write through a shared mapping that finds the
 * file system full is a SIGBUS, not an error we could report. A file system with no size limit
 * reports no blocks (the memfds' internal tmpfs): it cannot fill up, and reserving there would
 * take all the memory at once, before --consume has freed the bundle's pages. */
static int reserve(int fd, uint64_t size, struct kexe_err *err)
{
	struct statfs fs;
	int e;

	if (size == 0 || fstatfs(fd, &fs) || fs.f_blocks == 0)
		return 0;
	e = posix_fallocate(fd, 0, (off_t)size);
	if (e == EOPNOTSUPP || e == EINVAL)
		e = write_zeros(fd, size);
	if (e)
		return kexe_fail_errno(err, KEXE_EXIT_IO, e,
				       "no room for a %llu-byte output file: %s; free space on "
				       "that file system or write elsewhere",
				       (unsigned long long)size, strerror(e));
	return 0;
}

int kexe_map_output(int fd, uint64_t size, unsigned char **map, struct kexe_err *err)
{
	void *p;

	*map = NULL;
	if (size > (uint64_t)SIZE_MAX || ftruncate(fd, (off_t)size))
		return kexe_fail(
		    err, errno == EFBIG || errno == ENOSPC ? KEXE_EXIT_MEMORY : KEXE_EXIT_IO,
		    "cannot size a %llu-byte output file: %s", (unsigned long long)size,
		    strerror(errno));
	if (size == 0)
		return 0;
	if (reserve(fd, size, err))
		return -1;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "cannot map %llu bytes: %s",
				 (unsigned long long)size, strerror(errno));
	*map = p;
	return 0;
}

void kexe_unmap_output(unsigned char *map, uint64_t size)
{
	if (map)
		munmap(map, (size_t)size);
}
