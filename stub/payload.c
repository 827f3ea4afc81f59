#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "io.h"
#include "mapout.h"
#include "payload.h"
#include "progress.h"
#include "reuse.h"
#include "stage.h"
#include "xxh64.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008u
#endif
#define ALIGN4(x) (((x) + 3) & ~(uint64_t)3)

/* Memfds are never executed: sealing them non-executable also keeps newer kernels from
 * warning about memfds created without an exec flag. Older kernels reject the flag. */
static int new_memfd(const char *name, struct kexe_err *err)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_NOEXEC_SEAL);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_INTERNAL,
				 "memfd_create failed: %s; kexe needs "
				 "Linux 3.17 or newer",
				 strerror(errno));
	return fd;
}

/* Where one part of the payload is unpacked: a memfd, or a staging file on disk. */
static int new_output(const struct kexe_payload *p, const char *name, struct kexe_err *err)
{
	return p->stage_dir ? kexe_stage_open(p->stage_dir, err) : new_memfd(name, err);
}

/* A staging file is reopened read-only once filled (kexec_file_load refuses writable files). */
static int finish_output(const struct kexe_payload *p, int *fd, struct kexe_err *err)
{
	if (!p->stage_dir)
		return 0;
	*fd = kexe_stage_seal(p->stage_dir, *fd, err);
	return *fd < 0 ? -1 : 0;
}

static int check_kernel(const struct kexe_bundle *b, const unsigned char *head, uint64_t size,
			struct kexe_payload *p, struct kexe_err *err)
{
	size_t head_len = size < KEXE_KERNEL_PROBE_SIZE ? (size_t)size : KEXE_KERNEL_PROBE_SIZE;

	if (kexe_kernel_probe(head, head_len, size, &p->kernel, err))
		return -1;
	if (p->kernel.arch != b->trailer.arch || p->kernel.arch != kexe_host_arch())
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "the kernel in this bundle is an %s, but this bundle is for %s and "
		    "this machine is %s; pack a kernel for %s",
		    p->kernel.description, kexe_arch_name(b->trailer.arch),
		    kexe_arch_name(kexe_host_arch()), kexe_arch_name(kexe_host_arch()));
	return 0;
}

int kexe_payload_kernel(int fd, const struct kexe_bundle *b, struct kexe_payload *p,
			struct kexe_err *err)
{
	uint64_t size = b->kernel->original_size;
	unsigned char *map;
	int rc;

	p->kernel_fd = new_output(p, "kexe-kernel", err);
	if (p->kernel_fd < 0)
		return -1;
	p->kernel_size = size;
	if (kexe_map_output(p->kernel_fd, size, &map, err))
		return -1;
	rc = kexe_section_decode_release(fd, b->kernel, map, NULL, NULL, p->release_fd, err);
	if (rc == 0)
		rc = check_kernel(b, map, size, p, err);
	kexe_unmap_output(map, size);
	return rc ? rc : finish_output(p, &p->kernel_fd, err);
}

static int open_extra(const char *path, uint64_t *size, struct kexe_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot open initrd %s: %s", path,
				 strerror(errno));
	if (kexe_file_size(fd, size, err)) {
		close(fd);
		return kexe_fail(err, KEXE_EXIT_IO, "initrd %s: %s", path, err->msg);
	}
	return fd;
}

int kexe_payload_initrd_size(const struct kexe_bundle *b, const struct kexe_initrd_extras *x,
			     uint64_t *size, struct kexe_err *err)
{
	uint64_t total = 0, n;

	for (unsigned i = 0; i < b->initrd_count; i++)
		total = ALIGN4(total) + b->initrds[i]->original_size;
	for (unsigned i = 0; i < x->n_files; i++) {
		int fd = open_extra(x->files[i], &n, err);
		if (fd < 0)
			return -1;
		close(fd);
		total = ALIGN4(total) + n;
	}
	if (x->tail_size)
		total = ALIGN4(total) + x->tail_size;
	*size = total;
	return 0;
}

static int append_extra(const char *path, unsigned char *dst, uint64_t room, uint64_t *size,
			struct kexe_progress *progress, struct kexe_err *err)
{
	int fd = open_extra(path, size, err);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (*size > room)
		rc = kexe_fail(err, KEXE_EXIT_IO, "initrd %s grew while being read; retry", path);
	for (uint64_t done = 0; rc == 0 && done < *size;) {
		size_t n = *size - done < (1u << 20) ? (size_t)(*size - done) : (1u << 20);
		rc = kexe_pread_full(fd, dst + done, n, done, err);
		if (rc)
			kexe_fail(err, KEXE_EXIT_IO, "reading initrd %s failed", path);
		done += n;
		kexe_progress_add(progress, n);
	}
	close(fd);
	return rc;
}

static int fill_initrd(int fd, const struct kexe_bundle *b, const struct kexe_initrd_extras *x,
		       int release_fd, unsigned char *map, uint64_t size, struct kexe_err *err)
{
	struct kexe_progress progress;
	uint64_t off = 0, n;
	int rc = 0;

	kexe_progress_start(&progress, "unpacking", size);
	for (unsigned i = 0; i < b->initrd_count && rc == 0; i++) {
		off = ALIGN4(off);
		rc = kexe_section_decode_release(fd, b->initrds[i], map + off, kexe_progress_add,
						 &progress, release_fd, err);
		off += b->initrds[i]->original_size;
	}
	for (unsigned i = 0; i < x->n_files && rc == 0; i++) {
		off = ALIGN4(off);
		rc = append_extra(x->files[i], map + off, size - off, &n, &progress, err);
		off += n;
	}
	if (rc == 0 && x->tail_size) {
		off = ALIGN4(off);
		if (off + x->tail_size > size)
			rc = kexe_fail(err, KEXE_EXIT_IO,
				       "an --initrd file grew while being read; "
				       "retry");
		else
			memcpy(map + off, x->tail, x->tail_size);
	}
	kexe_progress_end(&progress);
	return rc;
}

int kexe_payload_initrd(int fd, const struct kexe_bundle *b, const struct kexe_initrd_extras *x,
			struct kexe_payload *p, struct kexe_err *err)
{
	unsigned char *map;
	uint64_t size;
	int rc;

	p->initrd_fd = -1;
	if (kexe_payload_initrd_size(b, x, &size, err))
		return -1;
	p->initrd_size = size;
	if (size == 0)
		return 0;
	p->initrd_fd = new_output(p, "kexe-initrd", err);
	if (p->initrd_fd < 0)
		return -1;
	if (kexe_map_output(p->initrd_fd, size, &map, err))
		return -1;
	rc = fill_initrd(fd, b, x, p->release_fd, map, size, err);
	kexe_unmap_output(map, size);
	return rc ? rc : finish_output(p, &p->initrd_fd, err);
}

int kexe_payload_cmdline(int fd, const struct kexe_bundle *b, const char *replace,
			 char *const *append, unsigned n_append, const char *consoles_from,
			 struct kexe_payload *p, struct kexe_err *err)
{
	char *base = NULL, *line;
	size_t len;

	if (!replace && kexe_section_read_small(fd, b->cmdline, &base, err))
		return -1;
	if (base && strlen(base) != b->cmdline->original_size) {
		free(base);
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "bundle is damaged: its command line contains a NUL byte; repack it");
	}
	if (!replace)
		replace = base;
	len = strlen(replace);
	for (unsigned i = 0; i < n_append; i++)
		len += 1 + strlen(append[i]);
	line = malloc(len + 1);
	if (!line) {
		free(base);
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	}
	strcpy(line, replace);
	for (unsigned i = 0; i < n_append; i++) {
		if (line[0])
			strcat(line, " ");
		strcat(line, append[i]);
	}
	free(base);
	p->cmdline = line;
	if (consoles_from && kexe_reuse_consoles(&p->cmdline, consoles_from))
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	line = p->cmdline;
	if (strlen(line) > p->kernel.cmdline_max)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "command line is %zu bytes, this kernel accepts at most %u; "
				 "shorten --append/--cmdline or repack",
				 strlen(line), p->kernel.cmdline_max);
	return 0;
}

int kexe_payload_initrd_mappable(const struct kexe_bundle *b, const struct kexe_initrd_extras *x)
{
	return b->initrd_count == 1 && b->initrds[0]->compression == KEXE_COMPRESSION_NONE &&
	       b->initrds[0]->stored_size > 0 && x->n_files == 0 && x->tail_size == 0;
}

int kexe_payload_initrd_map(int fd, const struct kexe_bundle *b, struct kexe_payload *p,
			    struct kexe_err *err)
{
	const struct kexe_section *s = b->initrds[0];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start = s->offset / page * page;
	size_t len = (size_t)(s->offset - start + s->stored_size);
	void *base = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)start);

	if (base == MAP_FAILED)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "cannot map the initrd in the bundle: %s",
				 strerror(errno));
	p->initrd_map_base = base;
	p->initrd_map_len = len;
	p->initrd_map = (const unsigned char *)base + (s->offset - start);
	p->initrd_size = s->stored_size;
	if (kexe_xxh64(p->initrd_map, (size_t)s->stored_size) != s->stored_checksum)
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "bundle is damaged: initrd section checksum mismatch; download or copy "
		    "it again and compare its SHA-256");
	return 0;
}

static const unsigned char *map_fd(int fd, uint64_t size)
{
	void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	return m == MAP_FAILED ? NULL : m;
}

int kexe_payload_view(const struct kexe_payload *p, struct kexe_payload_view *v,
		      struct kexe_err *err)
{
	memset(v, 0, sizeof *v);
	if (p->initrd_size && !p->initrd_map && p->initrd_fd < 0)
		return kexe_fail(err, KEXE_EXIT_INTERNAL,
				 "the %llu-byte initrd was not unpacked; nothing was loaded (a "
				 "kexe bug: report it, and run with --syscall file meanwhile)",
				 (unsigned long long)p->initrd_size);
	v->kernel.size = p->kernel_size;
	v->kernel.data = v->kernel_map = (void *)map_fd(p->kernel_fd, p->kernel_size);
	v->initrd.size = p->initrd_size;
	if (p->initrd_size && p->initrd_map)
		v->initrd.data = p->initrd_map;
	else if (p->initrd_size)
		v->initrd.data = v->initrd_map = (void *)map_fd(p->initrd_fd, p->initrd_size);
	if (v->kernel.data && (v->initrd.data || !p->initrd_size))
		return 0;
	kexe_payload_unview(p, v);
	return kexe_fail(err, KEXE_EXIT_MEMORY, "cannot map the unpacked payload: %s",
			 strerror(errno));
}

void kexe_payload_unview(const struct kexe_payload *p, struct kexe_payload_view *v)
{
	if (v->kernel_map)
		munmap(v->kernel_map, (size_t)p->kernel_size);
	if (v->initrd_map)
		munmap(v->initrd_map, (size_t)p->initrd_size);
	memset(v, 0, sizeof *v);
}

void kexe_payload_free(struct kexe_payload *p)
{
	if (p->initrd_map_base)
		munmap(p->initrd_map_base, p->initrd_map_len);
	p->initrd_map_base = NULL;
	p->initrd_map = NULL;
	if (p->kernel_fd >= 0)
		close(p->kernel_fd);
	if (p->initrd_fd >= 0)
		close(p->initrd_fd);
	free(p->cmdline);
	p->kernel_fd = p->initrd_fd = -1;
	p->cmdline = NULL;
}
