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

static int extract_one(int fd, const struct kexe_section *s, int dirfd, const char *dir,
		       const char *name, struct kexe_progress *progress, struct kexe_err *err)
{
	unsigned char *map;
	int out = openat(dirfd, name, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc;

	if (out < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create %s/%s: %s", dir, name,
				 strerror(errno));
	rc = kexe_map_output(out, s->original_size, &map, err);
	if (rc == 0)
		rc = kexe_section_decode(fd, s, map, kexe_progress_add, progress, err);
	kexe_unmap_output(map, s->original_size);
	if (close(out) && rc == 0)
		rc = kexe_fail(err, KEXE_EXIT_IO, "writing %s/%s failed: %s", dir, name,
			       strerror(errno));
	return rc;
}

int kexe_extract(int fd, const struct kexe_bundle *b, const char *dir, struct kexe_err *err)
{
	struct kexe_progress progress;
	unsigned initrd = 0;
	uint64_t total = 0;
	char name[32];
	int dirfd, rc = 0;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create directory %s: %s", dir,
				 strerror(errno));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot open directory %s: %s", dir,
				 strerror(errno));
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
	close(dirfd);
	return rc;
}
