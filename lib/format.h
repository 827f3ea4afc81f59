/* The kexe bundle format, version 1: the one definition used by the packer (writer) and the
 * stub (reader). docs/FORMAT.md describes the same layout for humans.
 *
 *   [ stub ELF ][ section data ... ][ section table ][ trailer (64 bytes) ]
 *   0           payload_offset      table_offset      file_size - 64
 *
 * All integers are little-endian. The trailer sits at the very end of the file so the stub can
 * find it without knowing its own size; the table lies directly before the trailer, so a bundle
 * with bytes appended or cut off never validates. */
#ifndef KEXE_FORMAT_H
#define KEXE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define KEXE_MAGIC "KEXEBNDL"
#define KEXE_MAGIC_LEN 8
#define KEXE_FORMAT_VERSION 1
#define KEXE_TRAILER_SIZE 64
#define KEXE_ENTRY_SIZE 64

/* Bounds a reader enforces before it trusts any number in a bundle. */
#define KEXE_MAX_SECTIONS 160
#define KEXE_MAX_INITRDS 128
#define KEXE_MAX_STUB_SIZE (64u << 20)
#define KEXE_MAX_KERNEL_SIZE (512ull << 20)
#define KEXE_MAX_SECTION_SIZE (64ull << 30)
#define KEXE_MAX_CMDLINE_SIZE (64u << 10)
#define KEXE_MAX_METADATA_SIZE (64u << 10)
/* LZ4 cannot expand input by more than 255:1, so a compressed section claiming more than this
 * ratio is lying; this bounds every allocation by the size of the file itself. */
#define KEXE_LZ4_MAX_RATIO 255

enum kexe_arch_id {
	KEXE_ARCH_X86_64 = 1,
	KEXE_ARCH_AARCH64 = 2,
};

enum kexe_section_type {
	KEXE_SECTION_KERNEL = 1,
	KEXE_SECTION_INITRD = 2,
	KEXE_SECTION_CMDLINE = 3,
	KEXE_SECTION_METADATA = 4,
};

enum kexe_compression {
	KEXE_COMPRESSION_NONE = 0,
	KEXE_COMPRESSION_LZ4 = 1, /* one LZ4 frame with content size and content checksum */
};

/* Trailer, on disk:
 *   0  magic[8] "KEXEBNDL"      8  u32 version       12 u32 arch
 *   16 u64 payload_offset       24 u64 table_offset  32 u32 section_count  36 u32 entry_size
 *   40 u64 table_checksum       48 u64 stub_checksum 56 u64 trailer_checksum
 * Checksums are XXH64 (seed 0): table_checksum over the table, stub_checksum over bytes
 * [0, payload_offset), trailer_checksum over trailer bytes 0..55. */
struct kexe_trailer {
	uint32_t version;
	uint32_t arch;
	uint64_t payload_offset;
	uint64_t table_offset;
	uint32_t section_count;
	uint32_t entry_size;
	uint64_t table_checksum;
	uint64_t stub_checksum;
};

/* Section table entry, on disk (64 bytes):
 *   0  u32 type   4  u32 compression   8  u64 offset   16 u64 stored_size   24 u64 original_size
 *   32 u64 stored_checksum (XXH64 of the stored bytes)
 *   40 u64 original_checksum (XXH64 of the original bytes)
 *   48..63 reserved, zero.
 * Sections of one type keep their table order (initrd 0, 1, ...). */
struct kexe_section {
	uint32_t type;
	uint32_t compression;
	uint64_t offset;
	uint64_t stored_size;
	uint64_t original_size;
	uint64_t stored_checksum;
	uint64_t original_checksum;
};

/* A bundle whose trailer and table passed every check of kexe_bundle_validate(). */
struct kexe_bundle {
	uint64_t file_size;
	struct kexe_trailer trailer;
	unsigned section_count;
	struct kexe_section sections[KEXE_MAX_SECTIONS];
	const struct kexe_section *kernel;
	const struct kexe_section *cmdline;
	const struct kexe_section *metadata; /* NULL when the bundle has none */
	unsigned initrd_count;
	const struct kexe_section *initrds[KEXE_MAX_INITRDS];
};

/* Encodes/decodes the on-disk forms. Decoding does no validation. */
void kexe_trailer_encode(const struct kexe_trailer *t, unsigned char out[KEXE_TRAILER_SIZE]);
void kexe_trailer_decode(struct kexe_trailer *t, const unsigned char in[KEXE_TRAILER_SIZE]);
void kexe_section_encode(const struct kexe_section *s, unsigned char out[KEXE_ENTRY_SIZE]);

/* Reads and validates the trailer and section table of the bundle open at fd (any file offset;
 * pread only). On success fills *b and returns 0. On any mismatch (short file, bad magic,
 * trailer/table/stub checksum, unknown version, unknown arch, out-of-range or overlapping
 * section, impossible sizes, missing kernel or cmdline) returns -1 with err set to
 * KEXE_EXIT_BUNDLE and a one-line message. Section data is not read (see decode.h). Checks the
 * stub checksum only when check_stub is non-zero. */
int kexe_bundle_open(int fd, struct kexe_bundle *b, int check_stub, struct kexe_err *err);

/* Same checks on a trailer and table already in memory: table holds section_count entries. */
int kexe_bundle_validate(struct kexe_bundle *b, uint64_t file_size, const unsigned char *trailer,
			 const unsigned char *table, struct kexe_err *err);

/* Total original size of kernel and all initrds. */
uint64_t kexe_bundle_payload_size(const struct kexe_bundle *b);

/* Total stored size of kernel and all initrds: the file bytes a run reads. */
uint64_t kexe_bundle_stored_size(const struct kexe_bundle *b);

const char *kexe_section_type_name(uint32_t type);
const char *kexe_compression_name(uint32_t compression);

#endif
