#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "extract.h"
#include "mapout.h"
#include "progress.h"

void kexe_extract_name(const struct kexe_section *s, unsigned index, char *out, size_t size)
{
	if (s->type == KEXE_SECTION_INITRD)
		snprintf(out, size, "initrd-%u", index);
	else
		snprintf(out, size, "%s", kexe_section_type_name(s->type));
}

/* Names the file in a message about it from a helper that knows only the descriptor. */
static void prefix_file(struct kexe_err *err, const char *dir, const char *name)
{
	char why[400];

	if (!err)
		return;
	snprintf(why, sizeof why, "%.399s", err->msg);
	kexe_fail_errno(err, err->code, err->sys_errno, "%s/%s: %s", dir, name, why);
}

/* A new file in our own new directory: O_EXCL and O_NOFOLLOW, so nothing that is already
 * there (nothing should be) is written through. */
static int extract_one(int fd, const struct kexe_section *s, int dirfd, const char *dir,
		       const char *name, struct kexe_progress *progress, struct kexe_err *err)
{
	unsigned char *map;
	int out = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc;

	if (out < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create %s/%s: %s", dir, name,
				 strerror(errno));
	rc = kexe_map_output(out, s->original_size, &map, err);
	if (rc)
		prefix_file(err, dir, name);
	if (rc == 0)
		rc = kexe_section_decode(fd, s, map, kexe_progress_add, progress, err);
	kexe_unmap_output(map, s->original_size);
	if (close(out) && rc == 0)
		rc = kexe_fail(err, KEXE_EXIT_IO, "writing %s/%s failed: %s", dir, name,
			       strerror(errno));
	return rc;
}

/* Opens the directory we just created. In a parent others can write, the new name could be
 * swapped for a link or another directory before we open it: neither is accepted. */
static int open_own_dir(const char *dir, struct kexe_err *err)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid())
		return fd;
	if (fd >= 0)
		close(fd);
	return kexe_fail(err, KEXE_EXIT_IO,
			 "directory %s was replaced right after it was created; extract into a "
			 "directory whose parent only you can write",
			 dir);
}

/* Creates dir and opens it. An existing name is refused, a symbolic link (to a directory
 * someone else chose) or a directory with files in it alike; mkdir never follows a link. */
static int fresh_dir(const char *dir, struct kexe_err *err)
{
	struct stat st;
	int link;

	if (mkdir(dir, 0755) == 0)
		return open_own_dir(dir, err);
	if (errno != EEXIST)
		return kexe_fail(err, KEXE_EXIT_IO,
				 "cannot create directory %s: %s; name a new directory in an "
				 "existing one you can write",
				 dir, strerror(errno));
	link = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode);
	return kexe_fail(err, KEXE_EXIT_USAGE,
			 "cannot extract into %s: it already exists%s; name a directory that does "
			 "not exist yet (it is created)",
			 dir, link ? " as a symbolic link" : "");
}

/* After a failure, removes what was written and the directory, so the same command can be run
 * again once the cause is fixed. Nobody else can add names to our new 0755 directory. */
static void remove_partial(const struct kexe_bundle *b, int dirfd, const char *dir)
{
	unsigned initrd = 0;
	char name[32];

	for (unsigned i = 0; i < b->section_count; i++) {
		const struct kexe_section *s = &b->sections[i];
		kexe_extract_name(s, s->type == KEXE_SECTION_INITRD ? initrd++ : 0, name,
				  sizeof name);
		unlinkat(dirfd, name, 0);
	}
	rmdir(dir);
}

int kexe_extract(int fd, const struct kexe_bundle *b, const char *dir, struct kexe_err *err)
{
	struct kexe_progress progress;
	unsigned initrd = 0;
	uint64_t total = 0;
	char name[32];
	int dirfd = fresh_dir(dir, err), rc = 0;

	if (dirfd < 0)
		return -1;
	for (unsigned i = 0; i < b->section_count; i++)
		total += b->sections[i].original_size;
	kexe_progress_start(&progress, "extracting", total);
	for (unsigned i = 0; i < b->section_count && rc == 0; i++) {
		const struct kexe_section *s = &b->sections[i];
		kexe_extract_name(s, s->type == KEXE_SECTION_INITRD ? initrd++ : 0, name,
				  sizeof name);
		rc = extract_one(fd, s, dirfd, dir, name, &progress, err);
	}
	kexe_progress_end(&progress);
	if (rc)
		remove_partial(b, dirfd, dir);
	close(dirfd);
	return rc;
}
