/* Harness: the bundle reader (trailer, section table, layout) and what the stub does with a
 * bundle that passes it: --info, the kernel header, unpacking kernel, command line and initrds.
 * Input: a whole bundle file.
 *
 * Each input runs twice: as given, so the fuzzer meets the magic and checksum checks, and with
 * every checksum recomputed the way the packer computes it, so that it gets past them to the
 * checks behind (a 64-bit checksum is nothing a mutation finds by chance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "decode.h"
#include "format.h"
#include "info.h"
#include "payload.h"
#include "util.h"
#include "xxh64.h"

/* Decodes every section into a buffer of exactly its declared size, and shows it with --info. */
static void decode_sections(int fd, const struct kexe_bundle *b, uint64_t file_size)
{
	static FILE *null;
	struct kexe_err err;

	FUZZ_ASSERT(b->kernel && b->cmdline && b->initrd_count <= KEXE_MAX_INITRDS);
	for (unsigned i = 0; i < b->section_count; i++) {
		const struct kexe_section *s = &b->sections[i];
		unsigned char *out;

		FUZZ_ASSERT(s->offset >= b->trailer.payload_offset &&
			    s->stored_size <= b->trailer.table_offset - s->offset);
		/* what keeps a hostile bundle from making the stub allocate without bound */
		FUZZ_ASSERT(s->original_size / KEXE_LZ4_MAX_RATIO <= file_size);
		out = fuzz_guarded_alloc((size_t)s->original_size);
		kexe_section_decode(fd, s, out, NULL, NULL, &err);
		fuzz_guarded_free(out, (size_t)s->original_size);
	}
	if (!null)
		null = fopen("/dev/null", "w");
	kexe_info_print(null, fd, b, &err);
}

/* The stub's steps after the reader (stub/run.c), without the host: metadata, the kernel
 * header, then kernel, command line and initrds unpacked into memfds. */
static void unpack_like_the_stub(int fd, const struct kexe_bundle *b)
{
	static const unsigned char carried[] = "carried host state";
	struct kexe_initrd_extras extras = {.tail = carried, .tail_size = sizeof carried};
	struct kexe_payload p = {.kernel_fd = -1, .initrd_fd = -1, .release_fd = -1};
	unsigned char *head = fuzz_guarded_alloc(KEXE_KERNEL_PROBE_SIZE);
	struct kexe_kernel_info info;
	struct kexe_err err;
	uint64_t initrd_size = 0;
	size_t got;
	char *text;

	if (b->metadata && kexe_section_read_small(fd, b->metadata, &text, &err) == 0)
		free(text);
	if (kexe_section_peek(fd, b->kernel, head, KEXE_KERNEL_PROBE_SIZE, &got, &err) == 0) {
		FUZZ_ASSERT(got <= KEXE_KERNEL_PROBE_SIZE);
		kexe_kernel_probe(head, got, b->kernel->original_size, &info, &err);
	}
	fuzz_guarded_free(head, KEXE_KERNEL_PROBE_SIZE);
	FUZZ_ASSERT(kexe_payload_initrd_size(b, &extras, &initrd_size, &err) == 0);
	if (kexe_payload_kernel(fd, b, &p, &err))
		p.kernel.cmdline_max = UINT32_MAX; /* go on: the rest does not need the kernel */
	if (kexe_payload_cmdline(fd, b, NULL, NULL, 0, NULL, &p, &err) == 0)
		FUZZ_ASSERT(strlen(p.cmdline) == b->cmdline->original_size);
	if (kexe_payload_initrd(fd, b, &extras, &p, &err) == 0)
		FUZZ_ASSERT(p.initrd_size == initrd_size && p.initrd_fd >= 0);
	kexe_payload_free(&p);
}

static void read_bundle(const uint8_t *data, size_t size)
{
	static struct kexe_bundle b;
	struct kexe_err err = {0};
	int fd = fuzz_file(data, size);

	if (kexe_bundle_open(fd, &b, 1, &err)) {
		FUZZ_ASSERT(err.code == KEXE_EXIT_BUNDLE && err.msg[0]);
		return;
	}
	decode_sections(fd, &b, size);
	unpack_like_the_stub(fd, &b);
}

/* Sets every checksum of the bundle in d as the packer would: each section's stored checksum
 * (and a raw section's original one), the table's, the loader's and the trailer's. */
static void fix_checksums(uint8_t *d, size_t size)
{
	uint8_t *trailer = d + size - KEXE_TRAILER_SIZE;
	uint64_t count = kexe_le32(trailer + 32), payload = kexe_le64(trailer + 16);
	uint64_t table_len = count * KEXE_ENTRY_SIZE;
	uint8_t *table = trailer - table_len;

	memcpy(trailer, KEXE_MAGIC, KEXE_MAGIC_LEN);
	if (count <= KEXE_MAX_SECTIONS && table_len <= size - KEXE_TRAILER_SIZE) {
		for (uint8_t *e = table; e < trailer; e += KEXE_ENTRY_SIZE) {
			uint64_t off = kexe_le64(e + 8), len = kexe_le64(e + 16);
			if (off > size || len > size - off)
				continue;
			kexe_put64(e + 32, kexe_xxh64(d + off, (size_t)len));
			if (kexe_le32(e + 4) == KEXE_COMPRESSION_NONE)
				kexe_put64(e + 40, kexe_le64(e + 32));
		}
		kexe_put64(trailer + 40, kexe_xxh64(table, (size_t)table_len));
	}
	if (payload <= size)
		kexe_put64(trailer + 48, kexe_xxh64(d, (size_t)payload));
	kexe_put64(trailer + 56, kexe_xxh64(trailer, 56));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;

	read_bundle(data, size);
	if (size < KEXE_TRAILER_SIZE)
		return 0;
	fixed = malloc(size);
	memcpy(fixed, data, size);
	fix_checksums(fixed, size);
	read_bundle(fixed, size);
	free(fixed);
	return 0;
}
