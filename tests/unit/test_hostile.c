/* Hostile bundles, run through the whole stub with the fake seam: each must be refused with a
 * line naming its defect, and nothing may reach kexec_file_load. Every case is built so that
 * only the check it names can catch it (the checksums are made right around the change), so
 * removing that check makes its test fail. test_format.c has the reader-level cases. */
#include <fcntl.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "decode.h"
#include "fixtures.h"
#include "kexec_tree.h"
#include "test.h"
#include "writer.h"
#include "xxh64.h"

static struct fixture fx;
static struct kexe_bundle bundle;

/* The stub refuses the bundle at fd as damaged (exit 3), saying words, and loads nothing. */
static int refused(int fd, const char *words)
{
	const char *args[] = {NULL};
	char msg[2048];
	int rc;

	fixture_host(0, NULL, 0);
	kexe_fake_loads = 0;
	rc = fixture_run_stderr(fd, args, msg, sizeof msg);
	if (rc != KEXE_EXIT_BUNDLE || kexe_fake_loads || !strstr(msg, words)) {
		printf("  expected exit 3 and \"%s\", got exit %d, %u loads: %s\n", words, rc,
		       kexe_fake_loads, msg);
		return 0;
	}
	return 1;
}

/* The default fixture (sections: 0 kernel, 1 initrd LZ4, 2 initrd raw, 3 cmdline, 4 metadata),
 * with entry i changed by mutate and the table and trailer checksums made right again. */
static int entry_refused(unsigned i, void (*mutate)(struct kexe_section *s), const char *words)
{
	struct kexe_section s;
	int ok;

	if (fixture_default(&fx) || kexe_bundle_open(fx.fd, &bundle, 1, NULL))
		return 0;
	s = bundle.sections[i];
	mutate(&s);
	fixture_rewrite(fx.fd, &bundle, i, &s);
	ok = refused(fx.fd, words);
	close(fx.fd);
	return ok;
}

/* The same with the trailer changed. */
static int trailer_refused(void (*mutate)(struct kexe_trailer *t, uint64_t file_size),
			   const char *words)
{
	struct kexe_trailer t;
	int ok;

	if (fixture_default(&fx) || kexe_bundle_open(fx.fd, &bundle, 1, NULL))
		return 0;
	t = bundle.trailer;
	mutate(&t, fx.size);
	fixture_rewrite_trailer(fx.fd, fx.size, &t);
	ok = refused(fx.fd, words);
	close(fx.fd);
	return ok;
}

static void overlap_previous(struct kexe_section *s)
{
	s->offset -= 16;
}
static void offset_near_2_64(struct kexe_section *s)
{
	s->offset = UINT64_MAX - 8;
}
static void size_past_file(struct kexe_section *s)
{
	s->stored_size = s->original_size = 1ull << 40;
}
static void claims_40_gib(struct kexe_section *s)
{
	s->original_size = 40ull << 30;
}
static void frame_longer_than_declared(struct kexe_section *s)
{
	s->original_size -= 100;
}
static void raw_size_mismatch(struct kexe_section *s)
{
	s->original_size = s->stored_size + 1;
}
static void unknown_compression(struct kexe_section *s)
{
	s->compression = 7;
}
static void becomes_kernel(struct kexe_section *s)
{
	s->type = KEXE_SECTION_KERNEL;
}
static void becomes_initrd(struct kexe_section *s)
{
	s->type = KEXE_SECTION_INITRD;
}
static void one_byte_shorter(struct kexe_section *s)
{
	s->stored_size--;
	s->original_size--;
}
static void unknown_type(struct kexe_section *s)
{
	s->type = 9;
}
static void stored_checksum_off(struct kexe_section *s)
{
	s->stored_checksum ^= 1;
}
static void original_checksum_off(struct kexe_section *s)
{
	s->original_checksum ^= 1;
}

TEST(hostile_section_entries_never_reach_kexec)
{
	CHECK(entry_refused(1, overlap_previous, "sections overlap"));
	CHECK(entry_refused(0, offset_near_2_64, "outside the payload area"));
	CHECK(entry_refused(2, size_past_file, "outside the payload area"));
	/* 40 GiB is within the 64 GiB section limit: the LZ4 ratio refuses it before any
	 * allocation is sized from it */
	CHECK(entry_refused(1, claims_40_gib, "cannot hold original size 42949672960"));
	CHECK(entry_refused(1, frame_longer_than_declared, "expands beyond its declared size"));
	CHECK(entry_refused(2, becomes_kernel, "two kernel sections"));
	CHECK(entry_refused(3, becomes_initrd, "no cmdline section"));
	CHECK(entry_refused(0, becomes_initrd, "no kernel section"));
	CHECK(entry_refused(2, one_byte_shorter, "sections leave a gap"));
	CHECK(entry_refused(4, one_byte_shorter, "sections end before the section table"));
	CHECK(entry_refused(3, unknown_type, "unknown type 9"));
	CHECK(entry_refused(2, raw_size_mismatch, "cannot hold original size"));
	CHECK(entry_refused(0, unknown_compression, "unknown compression 7"));
	/* the LZ4 section's bytes are intact: only the checksum of each side can differ */
	CHECK(entry_refused(1, stored_checksum_off, "initrd section checksum mismatch;"));
	CHECK(entry_refused(1, original_checksum_off, "checksum mismatch after decompression"));
}

static void newer_version(struct kexe_trailer *t, uint64_t file_size)
{
	(void)file_size;
	t->version = 2;
}
/* A table of 161 entries that ends right at the trailer, so only the count limit is wrong. */
static void too_many_sections(struct kexe_trailer *t, uint64_t file_size)
{
	t->section_count = KEXE_MAX_SECTIONS + 1;
	t->table_offset = file_size - KEXE_TRAILER_SIZE - (uint64_t)t->section_count * 64;
}
/* Entries of 32 bytes; the table's 64-byte entries still end at the trailer. */
static void entry_size_32(struct kexe_trailer *t, uint64_t file_size)
{
	(void)file_size;
	t->entry_size = 32;
}
/* The table claims to start 64 bytes later: bytes were cut before it. */
static void table_after_the_trailer(struct kexe_trailer *t, uint64_t file_size)
{
	(void)file_size;
	t->table_offset += 64;
}

TEST(hostile_trailers_never_reach_kexec)
{
	CHECK(trailer_refused(newer_version, "version 2 is newer"));
	CHECK(trailer_refused(too_many_sections, "impossible section table (161 entries"));
	CHECK(trailer_refused(entry_size_32, "impossible section table (5 entries of 32 bytes)"));
	CHECK(trailer_refused(table_after_the_trailer, "does not end at the trailer"));
}

/* Two initrd entries swapped: each still describes its own bytes, only the table checksum
 * sees that the initrds would reach the kernel in the wrong order. */
TEST(reordered_table_entries_are_refused)
{
	unsigned char e1[KEXE_ENTRY_SIZE], e2[KEXE_ENTRY_SIZE];
	off_t at;

	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	at = (off_t)bundle.trailer.table_offset;
	CHECK(pread(fx.fd, e1, sizeof e1, at + KEXE_ENTRY_SIZE) == sizeof e1);
	CHECK(pread(fx.fd, e2, sizeof e2, at + 2 * KEXE_ENTRY_SIZE) == sizeof e2);
	CHECK(pwrite(fx.fd, e2, sizeof e2, at + KEXE_ENTRY_SIZE) == sizeof e2);
	CHECK(pwrite(fx.fd, e1, sizeof e1, at + 2 * KEXE_ENTRY_SIZE) == sizeof e1);
	CHECK(refused(fx.fd, "section table checksum mismatch"));
	close(fx.fd);
}

/* A trailer whose checksum is right but whose magic is not: not a kexe trailer. */
TEST(trailer_without_magic_is_refused)
{
	unsigned char t[KEXE_TRAILER_SIZE];

	CHECK(fixture_default(&fx) == 0);
	CHECK(pread(fx.fd, t, sizeof t, (off_t)fx.size - KEXE_TRAILER_SIZE) == sizeof t);
	t[0] = 'X';
	kexe_put64(t + 56, kexe_xxh64(t, 56));
	CHECK(pwrite(fx.fd, t, sizeof t, (off_t)fx.size - KEXE_TRAILER_SIZE) == sizeof t);
	CHECK(refused(fx.fd, "no kexe trailer"));
	close(fx.fd);
}

/* Cut to less than a trailer: named as truncated, not a read error at a wrapped offset. */
TEST(file_shorter_than_a_trailer_is_refused)
{
	CHECK(fixture_default(&fx) == 0);
	CHECK(ftruncate(fx.fd, 10) == 0);
	CHECK(refused(fx.fd, "truncated: only 10 bytes"));
	close(fx.fd);
}

TEST(table_entry_with_reserved_bytes_set_is_refused)
{
	unsigned char one = 1;

	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	CHECK(pwrite(fx.fd, &one, 1, (off_t)bundle.trailer.table_offset + 64 + 60) == 1);
	fixture_rewrite_trailer(fx.fd, fx.size, &bundle.trailer);
	CHECK(refused(fx.fd, "section 1 has reserved bits set"));
	close(fx.fd);
}

TEST(replaced_loader_never_reaches_kexec)
{
	unsigned char other[100];

	CHECK(fixture_default(&fx) == 0);
	memset(other, 0x90, sizeof other);
	CHECK(pwrite(fx.fd, other, sizeof other, 200) == sizeof other);
	CHECK(refused(fx.fd, "not the one it was packed with"));
	close(fx.fd);
}

/* Offsets and sizes whose sum wraps past 2^64 to land exactly on the table: the layout check
 * alone would accept them, only the per-section range check sees it. */
TEST(sections_wrapping_past_2_64_are_refused)
{
	struct kexe_section s2, s3, s4;
	const uint64_t top = UINT64_MAX - 7; /* 2^64 - 8 */

	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	s2 = bundle.sections[2]; /* initrd 1 runs up to 2^64 - 8 */
	s2.compression = KEXE_COMPRESSION_LZ4;
	s2.stored_size = top - s2.offset;
	s2.original_size = 100;
	s3 = bundle.sections[3]; /* an empty cmdline at 2^64 - 8 */
	s3.offset = top;
	s3.stored_size = s3.original_size = 0;
	s4 = bundle.sections[4]; /* metadata from 2^64 - 8 wraps round to the table */
	s4.offset = top;
	s4.compression = KEXE_COMPRESSION_LZ4;
	s4.stored_size = bundle.trailer.table_offset + 8;
	s4.original_size = 100;
	fixture_rewrite(fx.fd, &bundle, 2, &s2);
	fixture_rewrite(fx.fd, &bundle, 3, &s3);
	fixture_rewrite(fx.fd, &bundle, 4, &s4);
	CHECK(refused(fx.fd, "initrd section 2 lies outside the payload area"));
	close(fx.fd);
}

/* Packs kernel (kernel_size bytes of a bzImage accepting cmdline_max) and cmdline into a new
 * memfd, with no initrd. */
static int pack_kernel_cmdline(size_t kernel_size, uint32_t cmdline_max, const char *cmdline,
			       size_t cmdline_len)
{
	struct kexe_pack_options opt = {.arch = KEXE_ARCH_X86_64};
	unsigned char stub[64] = {0};
	unsigned char *kernel = malloc(kernel_size);
	struct kexe_pack_input in[2] = {
	    {KEXE_SECTION_KERNEL, kernel, kernel_size},
	    {KEXE_SECTION_CMDLINE, (const unsigned char *)cmdline, cmdline_len},
	};
	int fd = memfd_create("hostile", MFD_CLOEXEC);

	fixture_bzimage(kernel, kernel_size, cmdline_max);
	if (kexe_bundle_write(fd, stub, sizeof stub, in, 2, &opt, NULL)) {
		close(fd);
		fd = -1;
	}
	free(kernel);
	return fd;
}

TEST(cmdline_with_a_nul_byte_is_refused)
{
	static const char cmdline[] = "console=ttyS0\0init=/bin/sh";
	int fd = pack_kernel_cmdline(65536, 2047, cmdline, sizeof cmdline - 1);

	CHECK(fd >= 0);
	CHECK(refused(fd, "command line contains a NUL byte"));
	close(fd);
}

/* Runs the stub on fx.fd with no arguments and the fake seam's log in text (cap bytes, NUL
 * terminated). Returns the run's result. */
static int run_fx_logged(char *text, size_t cap)
{
	char log[] = "/tmp/kexe-unit-log.XXXXXX", msg[2048];
	const char *args[] = {NULL};
	int fd = mkstemp(log), rc;
	ssize_t n;

	setenv("KEXE_FAKE_LOG", log, 1);
	rc = fixture_run_stderr(fx.fd, args, msg, sizeof msg);
	unsetenv("KEXE_FAKE_LOG");
	n = fd >= 0 ? pread(fd, text, cap - 1, 0) : -1;
	text[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(log);
	return rc;
}

/* The packed command line is stored without a NUL; the kernel gets it with one. */
TEST(packed_cmdline_reaches_the_kernel_nul_terminated)
{
	char text[512];

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	CHECK(run_fx_logged(text, sizeof text) == 0);
	/* "console=ttyS0 root=/dev/ram0" is 28 bytes */
	CHECK(strstr(text, "cmdline_len=29\n") != NULL);
	close(fx.fd);
}

TEST(packed_cmdline_longer_than_the_kernel_accepts_is_refused)
{
	const char *args[] = {NULL};
	char cmdline[101], msg[2048];
	int fd;

	memset(cmdline, 'a', sizeof cmdline);
	fixture_host(0, NULL, 0);
	fd = pack_kernel_cmdline(65536, 100, cmdline, 100); /* exactly the limit: loads */
	kexe_fake_loads = 0;
	CHECK(fixture_run_stderr(fd, args, msg, sizeof msg) == 0);
	CHECK(kexe_fake_loads == 1);
	close(fd);
	fd = pack_kernel_cmdline(65536, 100, cmdline, 101);
	kexe_fake_loads = 0;
	CHECK(fixture_run_stderr(fd, args, msg, sizeof msg) == KEXE_EXIT_USAGE);
	CHECK(strstr(msg, "command line is 101 bytes, this kernel accepts at most 100") != NULL);
	CHECK(kexe_fake_loads == 0);
	close(fd);
}

/* Claims within the LZ4 ratio but over the limit of their section type. */
TEST(sizes_over_each_type_limit_are_refused)
{
	struct kexe_section s;
	char cmdline[1000];
	int fd;

	/* letters in no order, so that the command line is stored raw: 1000 bytes */
	fixture_bytes((unsigned char *)cmdline, sizeof cmdline, 0, 5);
	for (size_t i = 0; i < sizeof cmdline; i++)
		cmdline[i] = (char)('a' + (unsigned char)cmdline[i] % 26);
	fd = pack_kernel_cmdline(3u << 20, 2047, cmdline, sizeof cmdline);
	CHECK(fd >= 0);
	CHECK(kexe_bundle_open(fd, &bundle, 1, NULL) == 0);
	CHECK(bundle.kernel->compression == KEXE_COMPRESSION_NONE);
	s = *bundle.kernel; /* 600 MiB from 3 MiB is within 255:1, but over 512 MiB */
	s.compression = KEXE_COMPRESSION_LZ4;
	s.original_size = 600ull << 20;
	fixture_rewrite(fd, &bundle, 0, &s);
	CHECK(refused(fd, "kernel section 0 claims 629145600 bytes, more than the limit"));
	close(fd);

	fd = pack_kernel_cmdline(65536, 2047, cmdline, sizeof cmdline);
	CHECK(kexe_bundle_open(fd, &bundle, 1, NULL) == 0);
	CHECK(bundle.cmdline->compression == KEXE_COMPRESSION_NONE);
	s = *bundle.cmdline; /* 100000 from 1000 bytes is within 255:1, but over 64 KiB */
	s.compression = KEXE_COMPRESSION_LZ4;
	s.original_size = 100000;
	fixture_rewrite(fd, &bundle, 1, &s);
	CHECK(refused(fd, "cmdline section 1 claims 100000 bytes, more than the limit"));
	close(fd);
}

/* Without initrds the kernel is loaded with no initrd file at all (KEXEC_FILE_NO_INITRAMFS):
 * the kernel refuses an empty one. */
TEST(zero_initrds_load_with_no_initramfs)
{
	char text[512];

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	close(fx.fd);
	fx.n_initrds = 0;
	CHECK(fixture_pack(&fx) == 0);
	kexe_fake_loads = 0;
	CHECK(run_fx_logged(text, sizeof text) == 0);
	CHECK(kexe_fake_loads == 1);
	CHECK(strstr(text, "initrd=0 flags=4 ") != NULL);
	CHECK(strstr(text, "initrd=-\n") != NULL);
	close(fx.fd);
}

/* Packs a kernel, n one-byte initrds and a cmdline. */
static int pack_initrds(unsigned n)
{
	static struct kexe_pack_input in[KEXE_MAX_SECTIONS];
	static unsigned char kernel[65536];
	struct kexe_pack_options opt = {.arch = KEXE_ARCH_X86_64};
	unsigned char stub[64] = {0};
	int fd = memfd_create("initrds", MFD_CLOEXEC);

	fixture_bzimage(kernel, sizeof kernel, 2047);
	in[0] = (struct kexe_pack_input){KEXE_SECTION_KERNEL, kernel, sizeof kernel};
	for (unsigned i = 0; i < n; i++)
		in[1 + i] = (struct kexe_pack_input){KEXE_SECTION_INITRD, stub, 1};
	in[n + 1] = (struct kexe_pack_input){KEXE_SECTION_CMDLINE, (const unsigned char *)"x", 1};
	if (kexe_bundle_write(fd, stub, sizeof stub, in, n + 2, &opt, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(at_most_128_initrds)
{
	const char *args[] = {NULL};
	char msg[2048];
	int fd = pack_initrds(KEXE_MAX_INITRDS);

	fixture_host(0, NULL, 0);
	kexe_fake_loads = 0;
	CHECK(fixture_run_stderr(fd, args, msg, sizeof msg) == 0);
	CHECK(kexe_fake_loads == 1);
	close(fd);
	fd = pack_initrds(KEXE_MAX_INITRDS + 1);
	CHECK(refused(fd, "more than 128 initrds"));
	close(fd);
}

/* Found by tests/fuzz/fuzz_kexec_tree.c: a `kexec --load` line with a command line but no
 * kernel leaked the command line. A refused script leaves nothing to free. */
TEST(kexec_tree_without_kernel_leaves_nothing_allocated)
{
	static const char script[] = "kexec -l  --append='init=/x'\n";
	struct kexec_tree t;
	struct kexe_err err;

	CHECK(kexec_tree_parse("d", script, strlen(script), &t, &err) == -1);
	CHECK(err.code == KEXE_EXIT_USAGE);
	CHECK(t.cmdline == NULL);
}

/* Found by tests/fuzz/fuzz_bundle.c: an LZ4 section of original size 0 decodes into the NULL
 * that an empty output file maps to, and the decoder computed NULL + 0 (undefined; clang's
 * UBSan reports it, gcc's does not). */
TEST(empty_lz4_section_decodes_into_no_buffer)
{
	LZ4F_preferences_t prefs = {
	    .frameInfo = {.contentChecksumFlag = LZ4F_contentChecksumEnabled}};
	unsigned char frame[64];
	size_t n = LZ4F_compressFrame(frame, sizeof frame, "", 0, &prefs);
	struct kexe_section s = {.type = KEXE_SECTION_INITRD,
				 .compression = KEXE_COMPRESSION_LZ4,
				 .stored_size = n,
				 .stored_checksum = kexe_xxh64(frame, n),
				 .original_checksum = kexe_xxh64("", 0)};
	struct kexe_err err;
	int fd = memfd_create("empty", MFD_CLOEXEC);

	CHECK(!LZ4F_isError(n));
	CHECK(write(fd, frame, n) == (ssize_t)n);
	CHECK(kexe_section_decode(fd, &s, NULL, NULL, NULL, &err) == 0);
	close(fd);
}

/* Found by tests/fuzz/fuzz_decode.c: hashing an empty buffer given as NULL (how the packer holds
 * an empty input file) passed NULL to memcpy. */
TEST(xxh64_of_nothing_at_null)
{
	struct kexe_xxh64 s;

	CHECK(kexe_xxh64(NULL, 0) == 0xef46db3751d8e999ull);
	kexe_xxh64_init(&s);
	kexe_xxh64_update(&s, "abc", 3);
	kexe_xxh64_update(&s, NULL, 0);
	CHECK(kexe_xxh64_digest(&s) == 0x44bc2cf5ad770999ull);
}
