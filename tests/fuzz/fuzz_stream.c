/* Harness: the streamed bundle (lib/stream.c), as the shell form's loader reads it from a pipe.
 * Input: a whole bundle. Its trailer says where the loader ends and the index starts; the
 * loader part goes to one memfd, the rest to another that stands in for the pipe (read with
 * read(), front to back), and the index is the input's tail. The stub's streamed steps then
 * run: the reader, the kernel header peek, kernel, initrds, cmdline, metadata, and the finish.
 * The input as text is also tried as a KEXE_STREAM value. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "decode.h"
#include "kernel.h"
#include "sha256.h"
#include "stream.h"
#include "util.h"

static int memfd(int *fd, const uint8_t *data, size_t size)
{
	if (*fd < 0)
		*fd = memfd_create("fuzz-part", MFD_CLOEXEC);
	if (*fd < 0 || ftruncate(*fd, 0) || (size && pwrite(*fd, data, size, 0) != (ssize_t)size) ||
	    lseek(*fd, 0, SEEK_SET) != 0)
		abort();
	return *fd;
}

static void decode(int fd, const struct kexe_section *s)
{
	struct kexe_err err;
	unsigned char *out;

	FUZZ_ASSERT(s->original_size / KEXE_LZ4_MAX_RATIO <= kexe_stream_size());
	out = fuzz_guarded_alloc((size_t)s->original_size);
	kexe_section_decode(fd, s, out, NULL, NULL, &err);
	fuzz_guarded_free(out, (size_t)s->original_size);
}

static void read_stream(int in, uint64_t size)
{
	static struct kexe_bundle b;
	unsigned char head[KEXE_KERNEL_PROBE_SIZE];
	struct kexe_err err = {0};
	size_t got;

	if (kexe_bundle_open(in, &b, 1, &err)) {
		FUZZ_ASSERT(err.code == KEXE_EXIT_BUNDLE && err.msg[0]);
		return;
	}
	FUZZ_ASSERT(b.file_size == size);
	if (kexe_section_peek(in, b.kernel, head, sizeof head, &got, &err) == 0)
		FUZZ_ASSERT(got <= sizeof head);
	decode(in, b.kernel);
	for (unsigned i = 0; i < b.initrd_count; i++)
		decode(in, b.initrds[i]);
	decode(in, b.cmdline);
	if (b.metadata)
		decode(in, b.metadata);
	if (kexe_stream_finish(&err) == 0)
		FUZZ_ASSERT(kexe_stream_finish(&err) == 0);
}

static void try_spec(const uint8_t *data, size_t size, int self)
{
	char *spec = malloc(size + 1);
	struct kexe_err err;

	memcpy(spec, data, size);
	spec[size] = 0;
	if (kexe_stream_attach_spec(spec, self, &err) == 0)
		FUZZ_ASSERT(kexe_stream_fd() >= 0 && kexe_stream_fd() <= 1023);
	else
		FUZZ_ASSERT(kexe_stream_fd() == -1 && err.msg[0]);
	kexe_stream_detach();
	free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int self_fd = -1, in_fd = -1;
	const uint8_t *t = data + size - KEXE_TRAILER_SIZE;
	unsigned char sha[KEXE_SHA256_SIZE];
	uint64_t loader, table;
	struct kexe_sha256 h;
	struct kexe_err err;
	int self, in;

	if (size < KEXE_TRAILER_SIZE) {
		try_spec(data, size, memfd(&self_fd, data, 0));
		return 0;
	}
	loader = kexe_le64(t + 16);
	table = kexe_le64(t + 24);
	loader = loader < size ? loader : size;
	table = table >= loader && table < size ? table : size - KEXE_TRAILER_SIZE;
	self = memfd(&self_fd, data, (size_t)loader);
	in = memfd(&in_fd, data + loader, (size_t)(size - loader));
	kexe_sha256_init(&h);
	kexe_sha256_update(&h, data, size);
	kexe_sha256_final(&h, sha);
	if (kexe_stream_attach(in, self, kexe_le64(t + 16), data + table, (size_t)(size - table),
			       sha, &err) == 0) {
		FUZZ_ASSERT(kexe_stream_fd() == in);
		read_stream(in, kexe_stream_size());
	} else {
		FUZZ_ASSERT(kexe_stream_fd() == -1 && err.msg[0]);
	}
	kexe_stream_detach();
	try_spec(data, size, self);
	return 0;
}
