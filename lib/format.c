#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "format.h"
#include "io.h"
#include "xxh64.h"

#define DAMAGED "bundle is damaged"
#define FETCH_AGAIN "download or copy it again and compare its SHA-256"

void kexe_trailer_encode(const struct kexe_trailer *t, unsigned char out[KEXE_TRAILER_SIZE])
{
	memset(out, 0, KEXE_TRAILER_SIZE);
	memcpy(out, KEXE_MAGIC, KEXE_MAGIC_LEN);
	kexe_put32(out + 8, t->version);
	kexe_put32(out + 12, t->arch);
	kexe_put64(out + 16, t->payload_offset);
	kexe_put64(out + 24, t->table_offset);
	kexe_put32(out + 32, t->section_count);
	kexe_put32(out + 36, t->entry_size);
	kexe_put64(out + 40, t->table_checksum);
	kexe_put64(out + 48, t->stub_checksum);
	kexe_put64(out + 56, kexe_xxh64(out, 56));
}

void kexe_section_encode(const struct kexe_section *s, unsigned char out[KEXE_ENTRY_SIZE])
{
	memset(out, 0, KEXE_ENTRY_SIZE);
	kexe_put32(out, s->type);
	kexe_put32(out + 4, s->compression);
	kexe_put64(out + 8, s->offset);
	kexe_put64(out + 16, s->stored_size);
	kexe_put64(out + 24, s->original_size);
	kexe_put64(out + 32, s->stored_checksum);
	kexe_put64(out + 40, s->original_checksum);
}

void kexe_trailer_decode(struct kexe_trailer *t, const unsigned char in[KEXE_TRAILER_SIZE])
{
	t->version = kexe_le32(in + 8);
	t->arch = kexe_le32(in + 12);
	t->payload_offset = kexe_le64(in + 16);
	t->table_offset = kexe_le64(in + 24);
	t->section_count = kexe_le32(in + 32);
	t->entry_size = kexe_le32(in + 36);
	t->table_checksum = kexe_le64(in + 40);
	t->stub_checksum = kexe_le64(in + 48);
}

static int section_decode(struct kexe_section *s, const unsigned char *in)
{
	s->type = kexe_le32(in);
	s->compression = kexe_le32(in + 4);
	s->offset = kexe_le64(in + 8);
	s->stored_size = kexe_le64(in + 16);
	s->original_size = kexe_le64(in + 24);
	s->stored_checksum = kexe_le64(in + 32);
	s->original_checksum = kexe_le64(in + 40);
	for (int i = 48; i < KEXE_ENTRY_SIZE; i++)
		if (in[i])
			return -1;
	return 0;
}

const char *kexe_section_type_name(uint32_t type)
{
	switch (type) {
	case KEXE_SECTION_KERNEL:
		return "kernel";
	case KEXE_SECTION_INITRD:
		return "initrd";
	case KEXE_SECTION_CMDLINE:
		return "cmdline";
	case KEXE_SECTION_METADATA:
		return "metadata";
	}
	return "unknown";
}

const char *kexe_compression_name(uint32_t compression)
{
	switch (compression) {
	case KEXE_COMPRESSION_NONE:
		return "none";
	case KEXE_COMPRESSION_LZ4:
		return "lz4";
	}
	return "unknown";
}

static uint64_t type_limit(uint32_t type)
{
	switch (type) {
	case KEXE_SECTION_KERNEL:
		return KEXE_MAX_KERNEL_SIZE;
	case KEXE_SECTION_CMDLINE:
		return KEXE_MAX_CMDLINE_SIZE;
	case KEXE_SECTION_METADATA:
		return KEXE_MAX_METADATA_SIZE;
	}
	return KEXE_MAX_SECTION_SIZE;
}

static int check_section(const struct kexe_section *s, unsigned i, const struct kexe_trailer *t,
			 struct kexe_err *err)
{
	const char *name = kexe_section_type_name(s->type);

	if (s->type < KEXE_SECTION_KERNEL || s->type > KEXE_SECTION_METADATA)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": section %u has unknown type %u; " FETCH_AGAIN, i,
				 s->type);
	if (s->offset < t->payload_offset || s->offset > t->table_offset ||
	    s->stored_size > t->table_offset - s->offset)
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    DAMAGED ": %s section %u lies outside the payload area; " FETCH_AGAIN, name, i);
	if (s->original_size > type_limit(s->type))
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    DAMAGED
		    ": %s section %u claims %llu bytes, more than the limit %llu; " FETCH_AGAIN,
		    name, i, (unsigned long long)s->original_size,
		    (unsigned long long)type_limit(s->type));
	switch (s->compression) {
	case KEXE_COMPRESSION_NONE:
		if (s->original_size == s->stored_size)
			return 0;
		break;
	case KEXE_COMPRESSION_LZ4:
		if (s->stored_size > 0 && s->original_size / KEXE_LZ4_MAX_RATIO <= s->stored_size)
			return 0;
		break;
	default:
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": %s section %u has unknown compression %u; " FETCH_AGAIN,
				 name, i, s->compression);
	}
	return kexe_fail(
	    err, KEXE_EXIT_BUNDLE,
	    DAMAGED
	    ": %s section %u: stored size %llu cannot hold original size %llu; " FETCH_AGAIN,
	    name, i, (unsigned long long)s->stored_size, (unsigned long long)s->original_size);
}

/* Sections tile [payload_offset, table_offset) exactly, in any order: no shared bytes, no gaps.
 * With the stub, table and trailer checksums this puts every byte of a bundle under a checksum. */
static int check_layout(const struct kexe_bundle *b, struct kexe_err *err)
{
	const struct kexe_section *sorted[KEXE_MAX_SECTIONS];
	unsigned n = b->section_count;
	uint64_t expect = b->trailer.payload_offset;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		for (; j > 0 && sorted[j - 1]->offset > b->sections[i].offset; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &b->sections[i];
	}
	for (unsigned i = 0; i < n; i++) {
		if (sorted[i]->offset != expect)
			return kexe_fail(err, KEXE_EXIT_BUNDLE,
					 DAMAGED ": sections %s at offset %llu; " FETCH_AGAIN,
					 sorted[i]->offset < expect ? "overlap" : "leave a gap",
					 (unsigned long long)expect);
		expect += sorted[i]->stored_size;
	}
	if (expect != b->trailer.table_offset)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": sections end before the section table; " FETCH_AGAIN);
	return 0;
}

static int index_sections(struct kexe_bundle *b, struct kexe_err *err)
{
	b->kernel = b->cmdline = b->metadata = NULL;
	b->initrd_count = 0;
	for (unsigned i = 0; i < b->section_count; i++) {
		const struct kexe_section *s = &b->sections[i];
		const struct kexe_section **slot = NULL;

		switch (s->type) {
		case KEXE_SECTION_KERNEL:
			slot = &b->kernel;
			break;
		case KEXE_SECTION_CMDLINE:
			slot = &b->cmdline;
			break;
		case KEXE_SECTION_METADATA:
			slot = &b->metadata;
			break;
		case KEXE_SECTION_INITRD:
			if (b->initrd_count == KEXE_MAX_INITRDS)
				return kexe_fail(err, KEXE_EXIT_BUNDLE,
						 DAMAGED ": more than %d initrds; " FETCH_AGAIN,
						 KEXE_MAX_INITRDS);
			b->initrds[b->initrd_count++] = s;
			continue;
		}
		if (*slot)
			return kexe_fail(err, KEXE_EXIT_BUNDLE,
					 DAMAGED ": two %s sections; " FETCH_AGAIN,
					 kexe_section_type_name(s->type));
		*slot = s;
	}
	if (!b->kernel || !b->cmdline)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": it has no %s section; " FETCH_AGAIN,
				 b->kernel ? "cmdline" : "kernel");
	return 0;
}

static int check_trailer(const struct kexe_trailer *t, uint64_t file_size, struct kexe_err *err)
{
	uint64_t table_end = file_size - KEXE_TRAILER_SIZE;

	if (t->version != KEXE_FORMAT_VERSION)
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "bundle format version %u is %s than this loader's (%d); %s", t->version,
		    t->version > KEXE_FORMAT_VERSION ? "newer" : "older", KEXE_FORMAT_VERSION,
		    t->version > KEXE_FORMAT_VERSION ? "pack it with this kexe or update kexe"
						     : "repack it with this kexe");
	if (t->arch != KEXE_ARCH_X86_64 && t->arch != KEXE_ARCH_AARCH64)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": unknown architecture %u; " FETCH_AGAIN, t->arch);
	if (t->entry_size != KEXE_ENTRY_SIZE || t->section_count < 2 ||
	    t->section_count > KEXE_MAX_SECTIONS)
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    DAMAGED ": impossible section table (%u entries of %u bytes); " FETCH_AGAIN,
		    t->section_count, t->entry_size);
	if (t->table_offset > table_end ||
	    table_end - t->table_offset != (uint64_t)t->section_count * KEXE_ENTRY_SIZE ||
	    t->payload_offset == 0 || t->payload_offset > t->table_offset ||
	    t->payload_offset > KEXE_MAX_STUB_SIZE)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": the section table does not end at the trailer (bytes "
					 "added or cut); " FETCH_AGAIN);
	return 0;
}

int kexe_bundle_validate(struct kexe_bundle *b, uint64_t file_size, const unsigned char *trailer,
			 const unsigned char *table, struct kexe_err *err)
{
	struct kexe_trailer *t = &b->trailer;

	b->file_size = file_size;
	kexe_trailer_decode(t, trailer);
	if (check_trailer(t, file_size, err))
		return -1;
	if (kexe_xxh64(table, (size_t)t->section_count * KEXE_ENTRY_SIZE) != t->table_checksum)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": section table checksum mismatch; " FETCH_AGAIN);
	b->section_count = t->section_count;
	for (unsigned i = 0; i < b->section_count; i++) {
		if (section_decode(&b->sections[i], table + (size_t)i * KEXE_ENTRY_SIZE))
			return kexe_fail(err, KEXE_EXIT_BUNDLE,
					 DAMAGED ": section %u has reserved bits set; " FETCH_AGAIN,
					 i);
		if (check_section(&b->sections[i], i, t, err))
			return -1;
	}
	if (check_layout(b, err))
		return -1;
	return index_sections(b, err);
}

static int check_stub(int fd, const struct kexe_bundle *b, struct kexe_err *err)
{
	struct kexe_xxh64 h;
	unsigned char buf[65536];
	uint64_t off = 0, end = b->trailer.payload_offset;

	kexe_xxh64_init(&h);
	while (off < end) {
		size_t want = end - off < sizeof buf ? (size_t)(end - off) : sizeof buf;
		if (kexe_pread_full(fd, buf, want, off, err))
			return -1;
		kexe_xxh64_update(&h, buf, want);
		off += want;
	}
	if (kexe_xxh64_digest(&h) != b->trailer.stub_checksum)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": the loader program at its start is not the one it was "
					 "packed with (checksum mismatch); " FETCH_AGAIN);
	return 0;
}

int kexe_bundle_open(int fd, struct kexe_bundle *b, int check_stub_bytes, struct kexe_err *err)
{
	unsigned char trailer[KEXE_TRAILER_SIZE];
	unsigned char table[KEXE_MAX_SECTIONS * KEXE_ENTRY_SIZE];
	uint64_t size, count;

	if (kexe_file_size(fd, &size, err))
		return -1;
	if (size < KEXE_TRAILER_SIZE)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 "not a kexe bundle or truncated: only %llu bytes; " FETCH_AGAIN,
				 (unsigned long long)size);
	if (kexe_pread_full(fd, trailer, sizeof trailer, size - KEXE_TRAILER_SIZE, err))
		return -1;
	if (memcmp(trailer, KEXE_MAGIC, KEXE_MAGIC_LEN))
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "no kexe trailer at the end of the file: the bundle is truncated or "
		    "not a kexe bundle; " FETCH_AGAIN);
	if (kexe_xxh64(trailer, 56) != kexe_le64(trailer + 56))
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 DAMAGED ": trailer checksum mismatch; " FETCH_AGAIN);
	/* The count is bounded before it sizes a read. */
	count = kexe_le32(trailer + 32);
	if (count > KEXE_MAX_SECTIONS)
		count = 0;
	if (count * KEXE_ENTRY_SIZE <= size - KEXE_TRAILER_SIZE &&
	    kexe_pread_full(fd, table, count * KEXE_ENTRY_SIZE,
			    size - KEXE_TRAILER_SIZE - count * KEXE_ENTRY_SIZE, err))
		return -1;
	if (kexe_bundle_validate(b, size, trailer, table, err))
		return -1;
	if (check_stub_bytes && check_stub(fd, b, err))
		return -1;
	return 0;
}

uint64_t kexe_bundle_payload_size(const struct kexe_bundle *b)
{
	uint64_t sum = b->kernel->original_size;

	for (unsigned i = 0; i < b->initrd_count; i++)
		sum += b->initrds[i]->original_size;
	return sum;
}

uint64_t kexe_bundle_stored_size(const struct kexe_bundle *b)
{
	uint64_t sum = b->kernel->stored_size;

	for (unsigned i = 0; i < b->initrd_count; i++)
		sum += b->initrds[i]->stored_size;
	return sum;
}
