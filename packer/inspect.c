#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"
#include "extract.h"
#include "info.h"
#include "inspect.h"
#include "kernel.h"
#include "progress.h"

static struct kexe_bundle bundle;

static int open_bundle(const char *path, struct kexe_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return kexe_fail_errno(err, KEXE_EXIT_IO, errno, "cannot open %s: %s", path,
				       strerror(errno));
	if (kexe_bundle_open(fd, &bundle, 1, err)) {
		close(fd);
		return -1;
	}
	return fd;
}

int inspect_info(const char *path, struct kexe_err *err)
{
	int fd = open_bundle(path, err), rc;

	if (fd < 0)
		return -1;
	rc = kexe_info_print(stdout, fd, &bundle, err);
	close(fd);
	return rc;
}

/* Decodes one section into scratch memory; probes it when it is the kernel. */
static int verify_section(int fd, const struct kexe_section *s, struct kexe_progress *progress,
			  struct kexe_kernel_info *kernel, struct kexe_err *err)
{
	struct kexe_kernel_info info;
	size_t size = (size_t)s->original_size;
	unsigned char *buf = NULL;
	int rc;

	if (size > 0) {
		buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			return kexe_fail(err, KEXE_EXIT_MEMORY, "cannot map %zu bytes: %s", size,
					 strerror(errno));
	}
	rc = kexe_section_decode(fd, s, buf, kexe_progress_add, progress, err);
	if (rc == 0 && s->type == KEXE_SECTION_KERNEL)
		rc = kexe_kernel_probe(
		    buf, size < KEXE_KERNEL_PROBE_SIZE ? size : KEXE_KERNEL_PROBE_SIZE, size, &info,
		    err);
	if (rc == 0 && s->type == KEXE_SECTION_KERNEL && info.arch != bundle.trailer.arch)
		rc = kexe_fail(err, KEXE_EXIT_BUNDLE, "the kernel is an %s in a bundle for %s",
			       info.description, kexe_arch_name(bundle.trailer.arch));
	if (rc == 0 && s->type == KEXE_SECTION_KERNEL && kernel)
		*kernel = info;
	if (buf)
		munmap(buf, size);
	return rc;
}

int inspect_check(const char *path, const struct kexe_bundle **b, struct kexe_kernel_info *kernel,
		  struct kexe_err *err)
{
	struct kexe_progress progress;
	uint64_t total = 0;
	int fd = open_bundle(path, err), rc = 0;

	*b = NULL;
	if (fd < 0)
		return -1;
	*b = &bundle;
	for (unsigned i = 0; i < bundle.section_count; i++)
		total += bundle.sections[i].original_size;
	kexe_progress_start(&progress, "verifying", total);
	for (unsigned i = 0; i < bundle.section_count && rc == 0; i++)
		rc = verify_section(fd, &bundle.sections[i], &progress, kernel, err);
	kexe_progress_end(&progress);
	close(fd);
	return rc;
}

int inspect_verify(const char *path, struct kexe_err *err)
{
	const struct kexe_bundle *b;

	if (inspect_check(path, &b, NULL, err))
		return -1;
	printf("kexe: %s: ok (%u sections, every checksum verified)\n", path, b->section_count);
	return 0;
}

int inspect_extract(const char *path, const char *dir, struct kexe_err *err)
{
	int fd = open_bundle(path, err), rc;

	if (fd < 0)
		return -1;
	rc = kexe_extract(fd, &bundle, dir, err);
	close(fd);
	return rc;
}
