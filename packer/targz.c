#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "io.h"
#include "targz.h"

#define TAR_BLOCK 512
#define TAR_RECORD 10240

static uint32_t crc_table[8][256];

static void crc_init(void)
{
	if (crc_table[0][1])
		return;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (int t = 1; t < 8; t++)
		for (int i = 0; i < 256; i++)
			crc_table[t][i] =
			    crc_table[t - 1][i] >> 8 ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

/* Slicing by 8: eight table lookups per eight bytes. */
uint32_t kexe_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	crc_init();
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t lo = crc ^ kexe_le32(p), hi = kexe_le32(p + 4);
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][lo >> 8 & 0xff] ^
		      crc_table[5][lo >> 16 & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][hi >> 8 & 0xff] ^
		      crc_table[1][hi >> 16 & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (len--)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ crc >> 8;
	return ~crc;
}

/* Writes the waiting bytes as one stored block (BFINAL when last; an empty block is fine). */
static int flush_block(struct kexe_targz *t, int last, struct kexe_err *err)
{
	uint16_t len = (uint16_t)t->used, nlen = (uint16_t)~len;

	t->block[0] = last ? 1 : 0; /* BFINAL, BTYPE 00 (stored), then byte alignment */
	t->block[1] = (unsigned char)len;
	t->block[2] = (unsigned char)(len >> 8);
	t->block[3] = (unsigned char)nlen;
	t->block[4] = (unsigned char)(nlen >> 8);
	if (kexe_write_full(t->fd, t->block, 5 + t->used, t->what, err))
		return -1;
	t->used = 0;
	return 0;
}

/* Adds uncompressed bytes to the stream. */
static int put(struct kexe_targz *t, const unsigned char *data, uint64_t len,
	       kexe_progress_fn progress, void *ctx, struct kexe_err *err)
{
	t->crc = kexe_crc32(t->crc, data, (size_t)len);
	t->total += len;
	while (len) {
		size_t n = KEXE_DEFLATE_STORED_MAX - t->used;
		if (n > len)
			n = (size_t)len;
		memcpy(t->block + 5 + t->used, data, n);
		t->used += n;
		data += n;
		len -= n;
		if (progress)
			progress(ctx, n);
		if (t->used == KEXE_DEFLATE_STORED_MAX && flush_block(t, 0, err))
			return -1;
	}
	return 0;
}

int kexe_targz_begin(struct kexe_targz *t, int fd, const char *what, struct kexe_err *err)
{
	/* magic, deflate, no flags, mtime 0, no extra flags, OS 3 (Unix) */
	static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

	memset(t, 0, sizeof *t);
	t->fd = fd;
	t->what = what;
	return kexe_write_full(fd, header, sizeof header, what, err);
}

static void octal(unsigned char *field, size_t width, uint64_t v)
{
	/* width-1 digits and a NUL */
	snprintf((char *)field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

int kexe_tar_header(unsigned char h[512], const char *name, unsigned mode, char type, uint64_t size,
		    uint64_t mtime, struct kexe_err *err)
{
	unsigned sum = 0;

	if (strlen(name) > KEXE_TAR_MAX_NAME)
		return kexe_fail(err, KEXE_EXIT_INTERNAL, "tar member name too long: %s", name);
	if (size > KEXE_TAR_MAX_SIZE || mtime > KEXE_TAR_MAX_SIZE)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "%s is %llu bytes, more than a tar archive member can hold (8 "
				 "GiB); make the payload smaller",
				 name, (unsigned long long)size);
	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, mode & 07777);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	octal(h + 329, 8, 0);
	octal(h + 337, 8, 0);
	/* the checksum counts its own field as spaces; written as 6 digits, NUL, space */
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 7, "%06o", sum);
	h[155] = ' ';
	return 0;
}

int kexe_targz_dir(struct kexe_targz *t, const char *name, unsigned mode, uint64_t mtime,
		   struct kexe_err *err)
{
	unsigned char h[TAR_BLOCK];

	if (kexe_tar_header(h, name, mode, '5', 0, mtime, err))
		return -1;
	return put(t, h, sizeof h, NULL, NULL, err);
}

int kexe_targz_file(struct kexe_targz *t, const char *name, unsigned mode, uint64_t mtime,
		    const void *data, uint64_t size, kexe_progress_fn progress, void *ctx,
		    struct kexe_err *err)
{
	static const unsigned char zeros[TAR_BLOCK];
	unsigned char h[TAR_BLOCK];
	uint64_t pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;

	if (kexe_tar_header(h, name, mode, '0', size, mtime, err) ||
	    put(t, h, sizeof h, NULL, NULL, err))
		return -1;
	/* in pieces, so a file over 4 GiB is not one size_t-sized CRC call on 32-bit hosts */
	for (uint64_t off = 0; off < size;) {
		uint64_t n = size - off < (1u << 24) ? size - off : (1u << 24);
		if (put(t, (const unsigned char *)data + off, n, progress, ctx, err))
			return -1;
		off += n;
	}
	return put(t, zeros, pad, NULL, NULL, err);
}

int kexe_targz_finish(struct kexe_targz *t, struct kexe_err *err)
{
	static const unsigned char zeros[TAR_RECORD];
	unsigned char trailer[8];
	uint64_t end = t->total + 2 * TAR_BLOCK;

	/* two zero blocks end the archive; GNU tar pads to whole records, so do we */
	if (put(t, zeros, 2 * TAR_BLOCK + (TAR_RECORD - end % TAR_RECORD) % TAR_RECORD, NULL, NULL,
		err) ||
	    flush_block(t, 1, err))
		return -1;
	kexe_put32(trailer, t->crc);
	kexe_put32(trailer + 4, (uint32_t)t->total);
	return kexe_write_full(t->fd, trailer, sizeof trailer, t->what, err);
}
