#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapout.h"

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
