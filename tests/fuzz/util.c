#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

int fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz_file");
		abort();
	}
	return fd;
}

static size_t page_round(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (size + page - 1) / page * page;
}

unsigned char *fuzz_guarded_alloc(size_t size)
{
	size_t body = page_round(size), page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *base;

	if (size == 0)
		return NULL;
	base = mmap(NULL, body + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || mprotect(base + body, page, PROT_NONE)) {
		perror("fuzz_guarded_alloc");
		abort();
	}
	return base + body - size;
}

void fuzz_guarded_free(unsigned char *p, size_t size)
{
	size_t body = page_round(size), page = (size_t)sysconf(_SC_PAGESIZE);

	if (p)
		munmap(p + size - body, body + page);
}

void fuzz_broken(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}
