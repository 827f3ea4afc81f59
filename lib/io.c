#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "stream.h"

int kexe_pread_full(int fd, void *buf, size_t len, uint64_t off, struct kexe_err *err)
{
	unsigned char *p = buf;

	if (fd >= 0 && fd == kexe_stream_fd())
		return kexe_stream_read(buf, len, off, err);
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kexe_fail(err, KEXE_EXIT_IO, "read failed at offset %llu: %s",
					 (unsigned long long)off, strerror(errno));
		if (n == 0)
			return kexe_fail(
			    err, KEXE_EXIT_BUNDLE,
			    "bundle is truncated: it ended at offset %llu while reading; "
			    "download or copy it again",
			    (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_error(const char *what, struct kexe_err *err)
{
	return kexe_fail(err, errno == ENOMEM || errno == ENOSPC ? KEXE_EXIT_MEMORY : KEXE_EXIT_IO,
			 "writing %s failed: %s; free memory or disk space and retry", what,
			 strerror(errno));
}

int kexe_pwrite_full(int fd, const void *buf, size_t len, uint64_t off, const char *what,
		     struct kexe_err *err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return write_error(what, err);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int kexe_write_full(int fd, const void *buf, size_t len, const char *what, struct kexe_err *err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return write_error(what, err);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kexe_file_size(int fd, uint64_t *size, struct kexe_err *err)
{
	struct stat st;

	if (fd >= 0 && fd == kexe_stream_fd()) {
		*size = kexe_stream_size();
		return 0;
	}
	if (fstat(fd, &st))
		return kexe_fail(err, KEXE_EXIT_IO, "fstat failed: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return kexe_fail(err, KEXE_EXIT_IO,
				 "not a regular file; save the bundle to a file and run that");
	*size = (uint64_t)st.st_size;
	return 0;
}
