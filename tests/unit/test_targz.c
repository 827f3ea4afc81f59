/* The tarball writer (packer/targz.c): CRC-32 vectors, ustar headers, the stored-deflate gzip
 * stream, and the nixos-anywhere tarball's layout. tests/interop unpacks real ones with gzip,
 * GNU tar and busybox tar. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "nixos_anywhere.h"
#include "targz.h"
#include "test.h"

TEST(crc32_matches_known_values)
{
	static unsigned char big[100003];

	CHECK(kexe_crc32(0, "", 0) == 0);
	CHECK(kexe_crc32(0, "123456789", 9) == 0xcbf43926u);
	CHECK(kexe_crc32(0, "The quick brown fox jumps over the lazy dog", 43) == 0x414fa339u);
	/* any split gives the same value */
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 9));
	CHECK(kexe_crc32(kexe_crc32(0, big, 12345), big + 12345, sizeof big - 12345) ==
	      kexe_crc32(0, big, sizeof big));
}

TEST(tar_header_has_a_valid_checksum_and_fields)
{
	unsigned char h[512];
	struct kexe_err err;
	unsigned sum = 0;

	CHECK(kexe_tar_header(h, "kexec/run", 0755, '0', 1234, 0, &err) == 0);
	CHECK(!strcmp((char *)h, "kexec/run"));
	CHECK(!memcmp(h + 100, "0000755", 8) && !memcmp(h + 124, "00000002322", 12));
	CHECK(h[156] == '0' && !memcmp(h + 257,
				       "ustar\0"
				       "00",
				       8));
	for (int i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	CHECK(strtoul((char *)h + 148, NULL, 8) == sum && h[155] == ' ');
	CHECK(kexe_tar_header(h, "x", 0644, '0', KEXE_TAR_MAX_SIZE + 1, 0, &err) == -1);
	CHECK(strstr(err.msg, "8 GiB"));
	CHECK(
	    kexe_tar_header(h,
			    "a-name-longer-than-ninety-nine-bytes-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			    0644, '0', 1, 0, &err) == -1);
}

/* Walks the stored deflate blocks of a gzip stream and returns the data they hold. */
static unsigned char *inflate_stored(const unsigned char *gz, size_t size, size_t *out_len)
{
	unsigned char *out = malloc(size);
	size_t at = 10, n = 0;
	int last = 0;

	while (!last && at + 5 <= size) {
		uint16_t len = (uint16_t)(gz[at + 1] | gz[at + 2] << 8);
		uint16_t nlen = (uint16_t)(gz[at + 3] | gz[at + 4] << 8);
		if ((gz[at] & 6) != 0 || (unsigned)len + nlen != 0xffffu || at + 5 + len > size)
			break;
		last = gz[at] & 1;
		memcpy(out + n, gz + at + 5, len);
		n += len;
		at += 5 + len;
	}
	if (!last || at + 8 != size || kexe_le32(gz + at) != kexe_crc32(0, out, n) ||
	    kexe_le32(gz + at + 4) != (uint32_t)n) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}

TEST(nixos_anywhere_tarball_holds_run_and_the_bundle)
{
	static unsigned char payload[200000];
	struct input_file bundle = {.path = "b", .data = payload, .size = sizeof payload};
	struct kexe_err err;
	unsigned char *gz, *tar;
	size_t tar_len;
	off_t size;
	int fd = memfd_create("targz", 0);

	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (unsigned char)(i % 251);
	CHECK(kexe_nixos_anywhere_write(fd, "test", &bundle, &err) == 0);
	size = lseek(fd, 0, SEEK_END);
	gz = malloc((size_t)size);
	CHECK(pread(fd, gz, (size_t)size, 0) == size);
	CHECK(gz[0] == 0x1f && gz[1] == 0x8b && gz[2] == 8);
	tar = inflate_stored(gz, (size_t)size, &tar_len);
	CHECK(tar != NULL);
	CHECK(tar_len % 10240 == 0);
	CHECK(!strcmp((char *)tar, "kexec/") && tar[156] == '5');
	CHECK(!strcmp((char *)tar + 512, "kexec/run") && tar[512 + 156] == '0');
	CHECK(!memcmp(tar + 1024, "#!/bin/sh\n", 10));
	{
		size_t run = strlen(kexe_nixos_anywhere_run), at = 1024 + (run + 511) / 512 * 512;
		CHECK(!memcmp(tar + 1024, kexe_nixos_anywhere_run, run));
		CHECK(!strcmp((char *)tar + at, "kexec/kexe-bundle"));
		CHECK(!memcmp(tar + at + 512, payload, sizeof payload));
	}
	CHECK(strstr(kexe_nixos_anywhere_run, "machine will boot into nixos"));
	free(tar);
	free(gz);
	close(fd);
}
