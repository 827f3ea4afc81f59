/* SHA-256 against the FIPS 180-4 examples and lengths around the padding boundaries (expected
 * values from Python's hashlib), fed whole and in every kind of split. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "test.h"

static int hex_is(const void *data, size_t len, const char *want)
{
	char got[KEXE_SHA256_HEX_SIZE];

	kexe_sha256_hex(data, len, got);
	if (strcmp(got, want))
		printf("  sha256 of %zu bytes: got %s, want %s\n", len, got, want);
	return !strcmp(got, want);
}

TEST(sha256_fips_examples)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char long_msg[] =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijk"
	    "lmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	CHECK(hex_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	CHECK(hex_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(hex_is(two_blocks, strlen(two_blocks),
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	CHECK(hex_is(long_msg, strlen(long_msg),
		     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
}

TEST(sha256_million_a_in_odd_pieces)
{
	struct kexe_sha256 s;
	unsigned char digest[KEXE_SHA256_SIZE], *a = malloc(1000000);
	char hex[KEXE_SHA256_HEX_SIZE];
	size_t done = 0, piece = 1;

	CHECK(a);
	memset(a, 'a', 1000000);
	kexe_sha256_init(&s);
	/* Pieces of 1, 2, 3, ... bytes cross every offset within a block. */
	while (done < 1000000) {
		size_t n = piece < 1000000 - done ? piece : 1000000 - done;
		kexe_sha256_update(&s, a + done, n);
		done += n;
		piece = piece % 150 + 1;
	}
	kexe_sha256_final(&s, digest);
	kexe_sha256_to_hex(digest, hex);
	CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	CHECK(hex_is(a, 1000000, hex));
	free(a);
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

	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 3); /* the bytes hashed with hashlib */
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
