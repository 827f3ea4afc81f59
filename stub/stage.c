#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <time.h>
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

/* A name in dir no other user can guess ahead of time. Safety never depends on it (names are
 * created with O_EXCL and what is opened is checked), only that planted names cannot make
 * staging fail; without getrandom (before Linux 3.17) the clock and pid stand in. */
static void random_name(const char *dir, char *name, size_t size)
{
	static unsigned long long counter;
	unsigned long long r;
	struct timespec ts;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (unsigned long long)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
		    (unsigned long long)getpid() << 32 ^ counter++;
	}
	snprintf(name, size, "%s/.kexe-stage-%016llx", dir, r);
}

/* For file systems without O_TMPFILE: a new file under a random name, never an existing one or
 * a link, unlinked at once (it is reopened through /proc/self/fd). */
static int open_named(const char *dir)
{
	char name[4096];

	for (int tries = 0; tries < 16; tries++) {
		int fd;
		random_name(dir, name, sizeof name);
		fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			unlink(name);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int kexe_stage_open(const char *dir, struct kexe_err *err)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR))
		fd = open_named(dir);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create a staging file in %s: %s", dir,
				 strerror(errno));
	return fd;
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* /proc/self/fd/N opens the file itself, whatever name it has (none): no name to swap. */
static int reopen_proc(int fd)
{
	char path[32];

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Without /proc: a random name for the moment of reopening (linkat never replaces an existing
 * name; with AT_EMPTY_PATH it needs CAP_DAC_READ_SEARCH, which root has). Someone who can
 * write dir could swap the name before the open: O_NOFOLLOW refuses a link, and the inode
 * must be ours. */
static int reopen_linked(const char *dir, int fd)
{
	char name[4096];

	for (int tries = 0; tries < 16; tries++) {
		int ro;
		random_name(dir, name, sizeof name);
		if (linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH)) {
			if (errno != EEXIST)
				return -1;
			continue;
		}
		ro = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		unlink(name);
		return ro;
	}
	return -1;
}

/* kexec_file_load refuses a file someone holds open for writing: a read-only descriptor of the
 * same file, found without trusting any name in dir. */
int kexe_stage_seal(const char *dir, int rw_fd, struct kexe_err *err)
{
	int ro = reopen_proc(rw_fd);

	if (ro < 0)
		ro = reopen_linked(dir, rw_fd);
	if (ro < 0)
		return kexe_fail(err, KEXE_EXIT_IO,
				 "cannot reopen the staging file in %s: %s; mount /proc or "
				 "choose another --stage-dir",
				 dir, strerror(errno));
	if (!same_file(ro, rw_fd)) {
		close(ro);
		return kexe_fail(err, KEXE_EXIT_IO,
				 "the staging file's name in %s was replaced while reopening it; "
				 "use a --stage-dir only root can write",
				 dir);
	}
	close(rw_fd);
	return ro;
}
