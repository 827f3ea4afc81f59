/* Harness: the section decoder (raw, or one LZ4 frame; checksums; output bounded by the declared
 * size). Input: byte 0 the compression (0 raw, anything else LZ4), bytes 1-4 the declared
 * original size (little-endian; LZ4 only, a raw section's is its stored size), then the stored
 * bytes. The section gets the sizes kexe_bundle_validate lets through and the stored bytes' true
 * checksum. The original bytes' checksum cannot be known before decoding, so each input is
 * decoded twice: with a wrong checksum, which must fail, then with the checksum of what the
 * first pass wrote, which must reproduce it. kexe_section_peek, which reads a kernel header
 * without checking anything, must give a prefix of the same bytes. */
#include <string.h>

#include "bytes.h"
#include "decode.h"
#include "kernel.h"
#include "util.h"
#include "xxh64.h"

#define HEADER 5

static int same(const unsigned char *a, const unsigned char *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0; /* a or b is NULL when n is 0 */
}

/* Peeks at the first KEXE_KERNEL_PROBE_SIZE bytes of s; when the whole section decoded (ok)
 * into decoded (size bytes), they must be its start. */
static void peek(int fd, const struct kexe_section *s, int ok, const unsigned char *decoded,
		 size_t size)
{
	unsigned char *head = fuzz_guarded_alloc(KEXE_KERNEL_PROBE_SIZE);
	struct kexe_err err;
	size_t got;

	if (kexe_section_peek(fd, s, head, KEXE_KERNEL_PROBE_SIZE, &got, &err) == 0) {
		FUZZ_ASSERT(got <= KEXE_KERNEL_PROBE_SIZE);
		FUZZ_ASSERT(!ok || (got <= size && same(head, decoded, got)));
	}
	fuzz_guarded_free(head, KEXE_KERNEL_PROBE_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kexe_section s = {.type = KEXE_SECTION_INITRD, .offset = HEADER};
	struct kexe_err err;
	unsigned char *first, *second;
	size_t out_size;
	int fd, ok;

	if (size < HEADER)
		return 0;
	s.compression = data[0] ? KEXE_COMPRESSION_LZ4 : KEXE_COMPRESSION_NONE;
	s.stored_size = size - HEADER;
	s.original_size = data[0] ? kexe_le32(data + 1) : s.stored_size;
	if (data[0] && (s.stored_size == 0 || s.original_size / KEXE_LZ4_MAX_RATIO > s.stored_size))
		return 0; /* kexe_bundle_validate refuses these sizes */
	s.stored_checksum = kexe_xxh64(data + HEADER, s.stored_size);
	out_size = (size_t)s.original_size;
	fd = fuzz_file(data, size);

	first = fuzz_guarded_alloc(out_size);
	s.original_checksum = s.stored_checksum ^ 1;
	FUZZ_ASSERT(kexe_section_decode(fd, &s, first, NULL, NULL, &err) == -1);
	FUZZ_ASSERT(err.code == KEXE_EXIT_BUNDLE);

	second = fuzz_guarded_alloc(out_size);
	s.original_checksum = kexe_xxh64(first, out_size);
	ok = kexe_section_decode(fd, &s, second, NULL, NULL, &err) == 0;
	if (ok) {
		FUZZ_ASSERT(same(first, second, out_size));
		FUZZ_ASSERT(data[0] || same(second, data + HEADER, out_size));
	} else {
		/* a raw section decodes whenever its stored checksum is right */
		FUZZ_ASSERT(data[0] && err.code == KEXE_EXIT_BUNDLE);
	}
	peek(fd, &s, ok, second, out_size);
	fuzz_guarded_free(first, out_size);
	fuzz_guarded_free(second, out_size);
	return 0;
}
