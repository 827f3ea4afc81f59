#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"

int input_open(struct input_file *f, const char *path, struct kexe_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(f, 0, sizeof *f);
	f->path = path;
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return kexe_fail(err, KEXE_EXIT_IO, "%s is not a regular file", path);
	}
	f->size = (uint64_t)st.st_size;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (f->size > 0) {
		void *p = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return kexe_fail(err, KEXE_EXIT_IO, "cannot map %s: %s", path,
					 strerror(errno));
		}
		madvise(p, (size_t)f->size, MADV_SEQUENTIAL);
		f->data = p;
	}
	close(fd);
	return 0;
}

void input_close(struct input_file *f)
{
	if (f->data && !f->borrowed)
		munmap(f->data, (size_t)f->size);
	f->data = NULL;
}

void input_view(struct input_file *f, const struct input_file *parent, const char *label,
		uint64_t offset, uint64_t size)
{
	memset(f, 0, sizeof *f);
	f->path = label;
	f->data = size ? parent->data + offset : NULL;
	f->size = size;
	f->dev = parent->dev;
	f->ino = parent->ino;
	f->borrowed = 1;
}
