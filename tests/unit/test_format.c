#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"
#include "fixtures.h"
#include "test.h"
#include "writer.h"
#include "xxh64.h"

static struct fixture fx;
static struct kexe_bundle bundle;

/* Silences the stub's one-line messages while a test runs it thousands of times. */
static int quiet(void)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 2);
	close(null);
	return saved;
}

static void loud(int saved)
{
	dup2(saved, 2);
	close(saved);
}

TEST(xxh64_known_vectors)
{
	unsigned char b[100];
	struct kexe_xxh64 s;

	for (int i = 0; i < 100; i++)
		b[i] = (unsigned char)i;
	CHECK(kexe_xxh64("", 0) == 0xef46db3751d8e999ull);
	CHECK(kexe_xxh64("abc", 3) == 0x44bc2cf5ad770999ull);
	CHECK(kexe_xxh64(b, 100) == 0x6ac1e58032166597ull);
	kexe_xxh64_init(&s);
	for (int i = 0; i < 100; i += 7)
		kexe_xxh64_update(&s, b + i, i + 7 <= 100 ? 7 : (size_t)(100 - i));
	CHECK(kexe_xxh64_digest(&s) == 0x6ac1e58032166597ull);
}

TEST(round_trip_every_section)
{
	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	CHECK(bundle.initrd_count == 2);
	CHECK(bundle.trailer.payload_offset % 4096 == 0);
	/* the compressible initrd is stored as LZ4, the random one raw */
	CHECK(bundle.initrds[0]->compression == KEXE_COMPRESSION_LZ4);
	CHECK(bundle.initrds[0]->stored_size < fx.initrd_size[0]);
	CHECK(bundle.initrds[1]->compression == KEXE_COMPRESSION_NONE);
	for (unsigned i = 0; i < 2; i++) {
		unsigned char out[20000];
		CHECK(kexe_section_decode(fx.fd, bundle.initrds[i], out, NULL, NULL, NULL) == 0);
		CHECK(memcmp(out, fx.initrd[i], fx.initrd_size[i]) == 0);
	}
	char *cmdline = NULL;
	CHECK(kexe_section_read_small(fx.fd, bundle.cmdline, &cmdline, NULL) == 0);
	CHECK(strcmp(cmdline, fx.cmdline) == 0);
	free(cmdline);
	close(fx.fd);
}

TEST(good_bundle_loads_through_fake_seam)
{
	const char *args[] = {NULL};

	fixture_host(0, "[none] integrity confidentiality\n", 0);
	CHECK(fixture_default(&fx) == 0);
	kexe_fake_loads = kexe_fake_reboots = 0;
	CHECK(fixture_run(fx.fd, args) == 0);
	CHECK(kexe_fake_loads == 1);
	CHECK(kexe_fake_reboots == 1);
	close(fx.fd);
}

TEST(every_truncation_point_is_refused)
{
	const char *args[] = {NULL};
	int saved;
	unsigned accepted = 0;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	kexe_fake_loads = 0;
	saved = quiet();
	for (uint64_t len = fx.size; len-- > 0;) {
		if (ftruncate(fx.fd, (off_t)len) || fixture_run(fx.fd, args) == 0)
			accepted++;
	}
	loud(saved);
	CHECK(accepted == 0);
	CHECK(kexe_fake_loads == 0);
	close(fx.fd);
}

TEST(bit_flips_are_refused)
{
	const char *args[] = {NULL};
	unsigned accepted = 0, tried = 0;
	uint32_t x = 12345;
	int saved;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	kexe_fake_loads = 0;
	saved = quiet();
	for (uint64_t i = 0; i < fx.size; i++) {
		unsigned char byte, flipped;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* every byte of table and trailer, one in 16 elsewhere */
		if (i < fx.size - 1024 && x % 16)
			continue;
		pread(fx.fd, &byte, 1, (off_t)i);
		flipped = byte ^ (unsigned char)(1u << (x % 8));
		pwrite(fx.fd, &flipped, 1, (off_t)i);
		if (fixture_run(fx.fd, args) == 0) {
			accepted++;
			printf("  flip at %llu of %llu accepted\n", (unsigned long long)i,
			       (unsigned long long)fx.size);
		}
		pwrite(fx.fd, &byte, 1, (off_t)i);
		tried++;
	}
	loud(saved);
	CHECK(tried > 2000);
	CHECK(accepted == 0);
	CHECK(kexe_fake_loads == 0);
	close(fx.fd);
}

/* An LZ4 section that claims fewer original bytes than its frame holds must stop at the
 * declared size instead of writing past the buffer sized from it. */
TEST(lz4_expanding_beyond_declared_size_is_refused)
{
	struct kexe_section s;
	struct kexe_err err;
	unsigned char *out;

	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	s = *bundle.initrds[0];
	CHECK(s.compression == KEXE_COMPRESSION_LZ4);
	s.original_size -= 100;
	out = malloc((size_t)s.original_size);
	CHECK(out != NULL);
	CHECK(kexe_section_decode(fx.fd, &s, out, NULL, NULL, &err) == -1);
	CHECK(err.code == KEXE_EXIT_BUNDLE);
	free(out);
	s.original_size += 200; /* and one that claims more than the frame gives */
	out = malloc((size_t)s.original_size);
	CHECK(kexe_section_decode(fx.fd, &s, out, NULL, NULL, &err) == -1);
	free(out);
	close(fx.fd);
}

TEST(newer_format_version_is_refused_by_name)
{
	struct kexe_trailer t;
	struct kexe_err err;

	CHECK(fixture_default(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	t = bundle.trailer;
	t.version = 2;
	fixture_rewrite_trailer(fx.fd, fx.size, &t);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, &err) == -1);
	CHECK(strstr(err.msg, "newer") != NULL);
	close(fx.fd);
}

TEST(replaced_stub_is_refused)
{
	struct kexe_err err;
	unsigned char other[100];

	CHECK(fixture_default(&fx) == 0);
	memset(other, 0x90, sizeof other);
	CHECK(pwrite(fx.fd, other, sizeof other, 200) == sizeof other);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 0, NULL) == 0); /* only the stub changed */
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, &err) == -1);
	CHECK(strstr(err.msg, "loader") != NULL);
	close(fx.fd);
}

TEST(zero_and_64_initrds)
{
	const char *args[] = {"--dry-run", NULL};
	static struct fixture big;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	fx.n_initrds = 0;
	close(fx.fd);
	CHECK(fixture_pack(&fx) == 0);
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	CHECK(bundle.initrd_count == 0);
	CHECK(fixture_run(fx.fd, args) == 0);
	close(fx.fd);

	/* 64 initrds: fixture holds 3 buffers, so write the bundle by hand */
	struct kexe_pack_input in[66];
	struct kexe_pack_options opt = {.arch = KEXE_ARCH_X86_64};
	unsigned char stub[64] = {0};
	CHECK(fixture_default(&big) == 0);
	close(big.fd);
	in[0] = (struct kexe_pack_input){KEXE_SECTION_KERNEL, big.kernel, sizeof big.kernel};
	for (int i = 0; i < 64; i++)
		in[1 + i] = (struct kexe_pack_input){KEXE_SECTION_INITRD, big.initrd[i % 2],
						     (uint64_t)(i + 1)};
	in[65] = (struct kexe_pack_input){KEXE_SECTION_CMDLINE, (const unsigned char *)"x", 1};
	int fd = memfd_create("many", 0);
	CHECK(kexe_bundle_write(fd, stub, sizeof stub, in, 66, &opt, NULL) == 0);
	CHECK(kexe_bundle_open(fd, &bundle, 1, NULL) == 0);
	CHECK(bundle.initrd_count == 64);
	CHECK(fixture_run(fd, args) == 0);
	close(fd);
}
