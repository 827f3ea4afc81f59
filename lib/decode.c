#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "io.h"
#include "xxh64.h"

/* Raw sections are hashed right after each read, while the chunk is still in cache; LZ4 reads
 * whole 4 MiB blocks (plus block headers) so the decoder need not buffer them itself. */
#define RAW_CHUNK (256u << 10)
#define LZ4_CHUNK ((4u << 20) + 4096)
#define DAMAGED "bundle is damaged: %s section "
#define FETCH_AGAIN "; download or copy it again and compare its SHA-256"

static int mismatch(const struct kexe_section *s, const char *what, struct kexe_err *err)
{
	return kexe_fail(err, KEXE_EXIT_BUNDLE, DAMAGED "%s" FETCH_AGAIN,
			 kexe_section_type_name(s->type), what);
}

/* Reads stored bytes; with release_fd >= 0 then frees their pages in the bundle file, which
 * is what lets a consumed bundle and the unpacked payload not both sit in RAM. The first
 * release failing means the file system cannot (KEXE_EXIT_CONSUME: the file is still whole and
 * a run without --consume may work); a later one leaves a file already partly used up. */
static int read_stored(int fd, void *buf, size_t n, uint64_t off, int release_fd,
		       struct kexe_err *err)
{
	static int released;

	if (kexe_pread_full(fd, buf, n, off, err))
		return -1;
	if (release_fd < 0)
		return 0;
	if (fallocate(release_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)n))
		return kexe_fail(err, released ? KEXE_EXIT_IO : KEXE_EXIT_CONSUME,
				 "--consume: cannot release the bundle's pages: %s%s",
				 strerror(errno),
				 released ? "; the bundle file is partly used up, fetch it again"
					  : "; run without --consume");
	released = 1;
	return 0;
}

static int decode_raw(int fd, const struct kexe_section *s, unsigned char *dst,
		      kexe_progress_fn progress, void *ctx, int release_fd, struct kexe_err *err)
{
	struct kexe_xxh64 h;

	kexe_xxh64_init(&h);
	for (uint64_t done = 0; done < s->stored_size;) {
		size_t n =
		    s->stored_size - done < RAW_CHUNK ? (size_t)(s->stored_size - done) : RAW_CHUNK;
		if (read_stored(fd, dst + done, n, s->offset + done, release_fd, err))
			return -1;
		kexe_xxh64_update(&h, dst + done, n);
		done += n;
		if (progress)
			progress(ctx, n);
	}
	if (kexe_xxh64_digest(&h) != s->stored_checksum ||
	    s->stored_checksum != s->original_checksum)
		return mismatch(s, "checksum mismatch", err);
	return 0;
}

/* Feeds the stored bytes to the LZ4 frame decoder chunk by chunk, straight into dst. */
static int lz4_stream(int fd, const struct kexe_section *s, unsigned char *dst, LZ4F_dctx *dctx,
		      unsigned char *src, kexe_progress_fn progress, void *ctx, int release_fd,
		      struct kexe_err *err)
{
	struct kexe_xxh64 stored, original;
	/* our XXH64 of the output replaces the frame's own XXH32 content checksum */
	LZ4F_decompressOptions_t opt = {.stableDst = 1, .skipChecksums = 1};
	uint64_t in = 0, out = 0;
	size_t hint = 1;

	kexe_xxh64_init(&stored);
	kexe_xxh64_init(&original);
	while (in < s->stored_size) {
		size_t n =
		    s->stored_size - in < LZ4_CHUNK ? (size_t)(s->stored_size - in) : LZ4_CHUNK;
		if (read_stored(fd, src, n, s->offset + in, release_fd, err))
			return -1;
		kexe_xxh64_update(&stored, src, n);
		in += n;
		for (size_t used = 0; used < n;) {
			size_t src_len = n - used, dst_len = (size_t)(s->original_size - out);
			hint =
			    LZ4F_decompress(dctx, dst + out, &dst_len, src + used, &src_len, &opt);
			if (LZ4F_isError(hint))
				return mismatch(s, LZ4F_getErrorName(hint), err);
			if (src_len == 0 && dst_len == 0)
				return mismatch(s, "expands beyond its declared size", err);
			kexe_xxh64_update(&original, dst + out, dst_len);
			used += src_len;
			out += dst_len;
			if (progress && dst_len)
				progress(ctx, dst_len);
		}
	}
	if (kexe_xxh64_digest(&stored) != s->stored_checksum)
		return mismatch(s, "checksum mismatch", err);
	if (hint != 0 || out != s->original_size)
		return mismatch(s, "decodes to fewer bytes than declared", err);
	if (kexe_xxh64_digest(&original) != s->original_checksum)
		return mismatch(s, "checksum mismatch after decompression", err);
	return 0;
}

static int decode_lz4(int fd, const struct kexe_section *s, unsigned char *dst,
		      kexe_progress_fn progress, void *ctx, int release_fd, struct kexe_err *err)
{
	LZ4F_dctx *dctx = NULL;
	unsigned char *src =
	    malloc(s->stored_size < LZ4_CHUNK ? (size_t)s->stored_size : LZ4_CHUNK);
	int rc;

	if (!src || LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
		free(src);
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory for the LZ4 decoder");
	}
	rc = lz4_stream(fd, s, dst, dctx, src, progress, ctx, release_fd, err);
	LZ4F_freeDecompressionContext(dctx);
	free(src);
	return rc;
}

int kexe_section_decode_release(int fd, const struct kexe_section *s, unsigned char *dst,
				kexe_progress_fn progress, void *ctx, int release_fd,
				struct kexe_err *err)
{
	unsigned char none;

	/* An empty file maps to no buffer at all (dst NULL), and the LZ4 decoder would still
	 * compute dst + 0, undefined for NULL: give it an address it will never write. */
	if (s->original_size == 0)
		dst = &none;
	if (s->compression == KEXE_COMPRESSION_LZ4)
		return decode_lz4(fd, s, dst, progress, ctx, release_fd, err);
	return decode_raw(fd, s, dst, progress, ctx, release_fd, err);
}

int kexe_section_decode(int fd, const struct kexe_section *s, unsigned char *dst,
			kexe_progress_fn progress, void *ctx, struct kexe_err *err)
{
	return kexe_section_decode_release(fd, s, dst, progress, ctx, -1, err);
}

/* Feeds stored bytes until len original bytes came out, the frame ended, or it stalled. */
static int peek_lz4(int fd, const struct kexe_section *s, LZ4F_dctx *dctx, unsigned char *dst,
		    size_t len, size_t *got, struct kexe_err *err)
{
	unsigned char src[65536];
	int done = 0;

	for (uint64_t in = 0; !done && *got < len && in < s->stored_size;) {
		size_t n =
		    s->stored_size - in < sizeof src ? (size_t)(s->stored_size - in) : sizeof src;
		if (kexe_pread_full(fd, src, n, s->offset + in, err))
			return -1;
		in += n;
		for (size_t used = 0; !done && used < n && *got < len;) {
			size_t src_len = n - used, dst_len = len - *got;
			size_t hint =
			    LZ4F_decompress(dctx, dst + *got, &dst_len, src + used, &src_len, NULL);
			if (LZ4F_isError(hint))
				return mismatch(s, LZ4F_getErrorName(hint), err);
			done = hint == 0 || (src_len == 0 && dst_len == 0);
			used += src_len;
			*got += dst_len;
		}
	}
	return 0;
}

int kexe_section_peek(int fd, const struct kexe_section *s, unsigned char *dst, size_t len,
		      size_t *got, struct kexe_err *err)
{
	LZ4F_dctx *dctx = NULL;
	int rc;

	*got = 0;
	if (s->compression == KEXE_COMPRESSION_LZ4) {
		if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
			return kexe_fail(err, KEXE_EXIT_MEMORY,
					 "out of memory for the LZ4 decoder");
		rc = peek_lz4(fd, s, dctx, dst, len, got, err);
		LZ4F_freeDecompressionContext(dctx);
		return rc;
	}
	*got = s->stored_size < len ? (size_t)s->stored_size : len;
	return kexe_pread_full(fd, dst, *got, s->offset, err);
}

int kexe_section_read_small(int fd, const struct kexe_section *s, char **out, struct kexe_err *err)
{
	char *buf;

	/* format.c bounds cmdline and metadata sections to 64 KiB before we get here */
	buf = malloc((size_t)s->original_size + 1);
	if (!buf)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	if (kexe_section_decode(fd, s, (unsigned char *)buf, NULL, NULL, err)) {
		free(buf);
		return -1;
	}
	buf[s->original_size] = 0;
	*out = buf;
	return 0;
}
