#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "stage.h"

#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6

static int disk_backed(const char *dir, uint64_t bytes)
{
	struct statfs fs;
	struct statvfs vfs;

	if (statfs(dir, &fs) || statvfs(dir, &vfs) || access(dir, W_OK))
		return 0;
	if ((unsigned long)fs.f_type == TMPFS_MAGIC || (unsigned long)fs.f_type == RAMFS_MAGIC)
		return 0;
	return (uint64_t)vfs.f_bavail * vfs.f_frsize >= bytes + (64u << 20);
}

const char *kexe_stage_find(uint64_t bytes)
{
	static const char *const dirs[] = {"/var/tmp", "/var/cache", "/root", "/"};

	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		if (disk_backed(dirs[i], bytes))
			return dirs[i];
	return NULL;
}

int kexe_stage_check(const char *dir, uint64_t bytes, struct kexe_err *err)
{
	if (disk_backed(dir, bytes))
		return 0;
	return kexe_fail(err, KEXE_EXIT_USAGE,
			 "--stage-dir %s is not a writable disk-backed directory with %llu MiB "
			 "free (tmpfs would not save memory); choose another",
			 dir, (unsigned long long)(bytes >> 20) + 64);
}

int kexe_stage_open(const char *dir, struct kexe_err *err)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create a staging file in %s: %s", dir,
				 strerror(errno));
	return fd;
}

/* Gives the O_TMPFILE a name just long enough to open it again read-only; works without
 * /proc (linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which root has). */
int kexe_stage_seal(const char *dir, int rw_fd, struct kexe_err *err)
{
	char name[4096];
	int ro = -1;

	snprintf(name, sizeof name, "%s/.kexe-stage-%d-%d", dir, (int)getpid(), rw_fd);
	if (linkat(rw_fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0) {
		ro = open(name, O_RDONLY | O_CLOEXEC);
		unlink(name);
	}
	if (ro < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot reopen the staging file in %s: %s", dir,
				 strerror(errno));
	close(rw_fd);
	return ro;
}
