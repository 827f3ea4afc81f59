/* `kexe info --json` and `kexe verify --json` (docs/JSON.md). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "info_json.h"
#include "inspect.h"
#include "json.h"

static void begin(struct kexe_json *j, const char *type, const char *path)
{
	kexe_json_begin_document(j, stdout, type);
	kexe_json_kstr(j, "path", path);
}

static int finish(struct kexe_json *j, int rc, const struct kexe_err *err)
{
	return kexe_json_finish_document(j, rc, err);
}

int inspect_info_json(const char *path, struct kexe_err *err)
{
	static struct kexe_bundle b;
	struct kexe_json j;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	begin(&j, "info", path);
	if (fd < 0)
		return finish(&j,
			      kexe_fail_errno(err, KEXE_EXIT_IO, errno, "cannot open %s: %s", path,
					      strerror(errno)),
			      err);
	rc = kexe_bundle_open(fd, &b, 1, err);
	if (rc == 0)
		rc = kexe_info_json(&j, fd, &b, err);
	close(fd);
	return finish(&j, rc, err);
}

int inspect_verify_json(const char *path, struct kexe_err *err)
{
	const struct kexe_bundle *b;
	struct kexe_kernel_info kernel;
	struct kexe_json j;
	int rc;

	begin(&j, "verify", path);
	rc = inspect_check(path, &b, &kernel, err);
	if (rc == 0) {
		kexe_json_kstr(&j, "arch", kexe_arch_name(b->trailer.arch));
		kexe_json_ku64(&j, "file_size", b->file_size);
		kexe_json_ku64(&j, "sections", b->section_count);
		kexe_json_ku64(&j, "initrds", b->initrd_count);
		kexe_json_kstr(&j, "kernel", kernel.description);
	}
	return finish(&j, rc, err);
}
