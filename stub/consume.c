#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "consume.h"

#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010u
#endif

extern char **environ;

static int copy_stub(int self_fd, int memfd, unsigned long long size)
{
	off_t off = 0;

	while ((unsigned long long)off < size) {
		ssize_t n =
		    sendfile(memfd, self_fd, &off, (size_t)(size - (unsigned long long)off));
		if (n <= 0)
			return -1;
	}
	return 0;
}

int kexe_consume_reexec(int self_fd, unsigned long long stub_size, const char *path, char **argv,
			struct kexe_err *err)
{
	int memfd = memfd_create("kexe-loader", MFD_EXEC);

	if (memfd < 0 && errno == EINVAL)
		memfd = memfd_create("kexe-loader", 0);
	if (memfd < 0 || copy_stub(self_fd, memfd, stub_size) || setenv(KEXE_CONSUME_ENV, path, 1))
		return kexe_fail(err, KEXE_EXIT_CONSUME,
				 "--consume: cannot copy the loader into memory (%s); run without "
				 "--consume",
				 strerror(errno));
	fexecve(memfd, argv, environ);
	return kexe_fail(err, KEXE_EXIT_CONSUME,
			 "--consume: cannot run the loader from memory (%s; vm.memfd_noexec may "
			 "forbid it); run without --consume",
			 strerror(errno));
}

int kexe_consume_open(struct kexe_err *err)
{
	const char *path = getenv(KEXE_CONSUME_ENV);
	struct statfs fs;
	int fd;

	if (!path)
		return -2;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_CONSUME,
				 "--consume: cannot open %s for writing: %s; run "
				 "without --consume",
				 path, strerror(errno));
	if (fstatfs(fd, &fs) == 0 && (unsigned long)fs.f_type == RAMFS_MAGIC) {
		close(fd);
		return kexe_fail(err, KEXE_EXIT_CONSUME,
				 "--consume: %s is on ramfs, which cannot free "
				 "part of a file; run without --consume",
				 path);
	}
	return fd;
}

int kexe_consume_in_ram(int fd)
{
	struct statfs fs;

	return fstatfs(fd, &fs) == 0 && (unsigned long)fs.f_type == TMPFS_MAGIC;
}
