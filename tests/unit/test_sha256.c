/* SHA-256 against the FIPS 180-4 examples and lengths around the padding boundaries (expected
 * values from Python's hashlib), fed whole and in every kind of split, with each implementation
 * this CPU can run (lib/sha256_impl.h); and the CPU's implementation against the portable one.
 * Also built alone for arm64 (build/sha256-test-aarch64, run under qemu by tests/cli/sha256.sh),
 * so it uses nothing but lib/sha256*.c. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "sha256_impl.h"
#include "test.h"

/* The implementations to test: the portable one, then the CPU's when it has one. */
static unsigned impls(const struct kexe_sha256_impl *out[2])
{
	out[0] = &kexe_sha256_portable;
	out[1] = kexe_sha256_cpu();
	return out[1] ? 2 : 1;
}

static int hex_is(const void *data, size_t len, const char *want)
{
	char got[KEXE_SHA256_HEX_SIZE];

	kexe_sha256_hex(data, len, got);
	if (strcmp(got, want))
		printf("  sha256 (%s) of %zu bytes: got %s, want %s\n", kexe_sha256_impl()->name,
		       len, got, want);
	return !strcmp(got, want);
}

TEST(sha256_fips_examples)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char long_msg[] =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijk"
	    "lmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	const struct kexe_sha256_impl *impl[2];

	for (unsigned i = 0, n = impls(impl); i < n; i++) {
		kexe_sha256_use(impl[i]);
		CHECK(hex_is("", 0,
			     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
		CHECK(hex_is("abc", 3,
			     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
		CHECK(hex_is(two_blocks, strlen(two_blocks),
			     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
		CHECK(hex_is(long_msg, strlen(long_msg),
			     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
	}
	kexe_sha256_use(NULL);
}

TEST(sha256_million_a_in_odd_pieces)
{
	static const char want[] =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	const struct kexe_sha256_impl *impl[2];
	unsigned char digest[KEXE_SHA256_SIZE], *a = malloc(1000000);
	char hex[KEXE_SHA256_HEX_SIZE];
	int ok = a != NULL;

	if (a)
		memset(a, 'a', 1000000);
	for (unsigned i = 0, n = impls(impl); ok && i < n; i++) {
		struct kexe_sha256 s;
		size_t done = 0, piece = 1;

		kexe_sha256_use(impl[i]);
		kexe_sha256_init(&s);
		/* Pieces of 1, 2, 3, ... bytes cross every offset within a block. */
		while (done < 1000000) {
			size_t n_piece = piece < 1000000 - done ? piece : 1000000 - done;
			kexe_sha256_update(&s, a + done, n_piece);
			done += n_piece;
			piece = piece % 150 + 1;
		}
		kexe_sha256_final(&s, digest);
		kexe_sha256_to_hex(digest, hex);
		ok = !strcmp(hex, want) && hex_is(a, 1000000, want);
		if (!ok)
			printf("  %s: a million 'a' in pieces gave %s\n", impl[i]->name, hex);
	}
	kexe_sha256_use(NULL);
	free(a);
	CHECK(ok);
}

/* Padding takes one extra block from 56 bytes in a block on: the lengths on either side. */
TEST(sha256_padding_boundaries)
{
	static const struct {
		size_t len;
		const char *hex;
	} cases[] = {
	    {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
	    {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
	    {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
	    {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
	    {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
	    {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
	    {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
	};
	unsigned char data[120];
	const struct kexe_sha256_impl *impl[2];

	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 3); /* the bytes hashed with hashlib */
	for (unsigned k = 0, n = impls(impl); k < n; k++) {
		kexe_sha256_use(impl[k]);
		for (unsigned c = 0; c < sizeof cases / sizeof *cases; c++) {
			CHECK(hex_is(data, cases[c].len, cases[c].hex));
			for (size_t split = 0; split <= cases[c].len; split++) {
				struct kexe_sha256 s;
				unsigned char digest[KEXE_SHA256_SIZE];
				char hex[KEXE_SHA256_HEX_SIZE];

				kexe_sha256_init(&s);
				kexe_sha256_update(&s, data, split);
				kexe_sha256_update(&s, data + split, cases[c].len - split);
				kexe_sha256_final(&s, digest);
				kexe_sha256_to_hex(digest, hex);
				CHECK(!strcmp(hex, cases[c].hex));
			}
		}
	}
	kexe_sha256_use(NULL);
}

/* A deterministic pseudo-random byte stream (xorshift64), so a failure can be reproduced. */
static void fill_random(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 32);
	}
}

/* The digest of data under impl, fed in pieces of the sizes in steps (cycled; 0: all at once). */
static void digest_with(const struct kexe_sha256_impl *impl, const unsigned char *data, size_t len,
			const size_t *steps, size_t n_steps, unsigned char out[KEXE_SHA256_SIZE])
{
	struct kexe_sha256 s;
	size_t done = 0;

	kexe_sha256_use(impl);
	kexe_sha256_init(&s);
	for (size_t k = 0; done < len; k++) {
		size_t piece = n_steps ? steps[k % n_steps] : len;
		if (piece > len - done)
			piece = len - done;
		kexe_sha256_update(&s, data + done, piece);
		done += piece;
	}
	kexe_sha256_final(&s, out);
}

/* The CPU's instructions (SHA-NI, ARMv8 SHA2) against the portable code: every length from 0 to
 * 1000 bytes whole and in odd pieces, then buffers of a few MiB split at odd places (so that
 * the bulk calls cover many blocks at once, starting at any alignment). */
TEST(sha256_cpu_instructions_match_portable)
{
	static const size_t odd[] = {1, 3, 63, 65, 7, 127, 129, 31, 200, 13};
	static const size_t big_odd[] = {65537, 1, 1000003, 4095, 3 * 1048576 + 5, 64};
	static const size_t big_lens[] = {1048576, 1048576 + 13, 3 * 1048576 + 61, 5 * 1048576 - 1};
	const struct kexe_sha256_impl *impl[2];
	unsigned char want[KEXE_SHA256_SIZE], got[KEXE_SHA256_SIZE];
	unsigned char *buf = malloc(5 * 1048576 + 1);
	int ok = buf != NULL;

	if (impls(impl) < 2) {
		printf("  sha256: this CPU has no SHA instructions (or they are not built for "
		       "it): only the portable code was tested\n");
		free(buf);
		return;
	}
	printf("  sha256: %s against portable\n", impl[1]->name);
	if (buf)
		fill_random(buf, 5 * 1048576 + 1, 24);
	for (size_t len = 0; ok && len <= 1000; len++) {
		/* at offset len % 8 too, so that the loads see every alignment */
		const unsigned char *p = buf + len % 8;

		digest_with(impl[0], p, len, NULL, 0, want);
		digest_with(impl[1], p, len, NULL, 0, got);
		ok = !memcmp(want, got, sizeof want);
		digest_with(impl[1], p, len, odd, sizeof odd / sizeof *odd, got);
		ok = ok && !memcmp(want, got, sizeof want);
		if (!ok)
			printf("  %s differs from portable at %zu bytes\n", impl[1]->name, len);
	}
	for (size_t b = 0; ok && b < sizeof big_lens / sizeof *big_lens; b++) {
		const unsigned char *p = buf + (5 * 1048576 + 1 - big_lens[b]);

		digest_with(impl[0], p, big_lens[b], NULL, 0, want);
		digest_with(impl[1], p, big_lens[b], NULL, 0, got);
		ok = !memcmp(want, got, sizeof want);
		digest_with(impl[1], p, big_lens[b], big_odd, sizeof big_odd / sizeof *big_odd,
			    got);
		ok = ok && !memcmp(want, got, sizeof want);
		digest_with(impl[0], p, big_lens[b], big_odd, sizeof big_odd / sizeof *big_odd,
			    got);
		ok = ok && !memcmp(want, got, sizeof want);
		if (!ok)
			printf("  %s differs from portable at %zu bytes\n", impl[1]->name,
			       big_lens[b]);
	}
	kexe_sha256_use(NULL);
	free(buf);
	CHECK(ok);
}

/* KEXE_SHA256_IMPL=portable makes the choice the portable code; otherwise it is the CPU's. */
TEST(sha256_env_forces_portable)
{
	const char *was = getenv(KEXE_SHA256_IMPL_ENV);
	char *saved = was ? strdup(was) : NULL;
	const struct kexe_sha256_impl *forced, *chosen;

	setenv(KEXE_SHA256_IMPL_ENV, "portable", 1);
	kexe_sha256_use(NULL);
	forced = kexe_sha256_impl();
	unsetenv(KEXE_SHA256_IMPL_ENV);
	kexe_sha256_use(NULL);
	chosen = kexe_sha256_impl();
	if (saved)
		setenv(KEXE_SHA256_IMPL_ENV, saved, 1);
	free(saved);
	kexe_sha256_use(NULL);
	printf("  sha256: chosen here: %s\n", kexe_sha256_impl()->name);
	CHECK(forced == &kexe_sha256_portable);
	CHECK(chosen == (kexe_sha256_cpu() ? kexe_sha256_cpu() : &kexe_sha256_portable));
}
