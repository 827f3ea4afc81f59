#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "format.h"
#include "unwrap.h"

#define MIB (1024.0 * 1024.0)

/* Inflates the gzip stream in[0..len) into a new buffer. hint: the expected size (gzip's
 * ISIZE, the size modulo 2^32), used as the first guess. */
static int gunzip(const unsigned char *in, uint64_t len, uint64_t hint, struct kexe_unwrapped *out,
		  struct kexe_err *err)
{
	z_stream z;
	uint64_t cap = hint >= 4096 && hint <= KEXE_MAX_KERNEL_SIZE ? hint : 64u << 20;
	unsigned char *buf = malloc(cap);
	int rc = Z_OK;

	memset(&z, 0, sizeof z);
	if (!buf || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return kexe_fail(err, KEXE_EXIT_INTERNAL, "out of memory unpacking the kernel");
	}
	z.next_in = (unsigned char *)in;
	while (rc == Z_OK) {
		if (z.total_out == cap) {
			unsigned char *bigger;
			if (cap >= KEXE_MAX_KERNEL_SIZE) {
				rc = Z_MEM_ERROR;
				break;
			}
			cap = cap * 2 > KEXE_MAX_KERNEL_SIZE ? KEXE_MAX_KERNEL_SIZE : cap * 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = bigger;
		}
		/* zlib counts in uInt: feed and drain at most 1 GiB per call */
		if (z.avail_in == 0 && (uint64_t)(z.next_in - in) < len) {
			uint64_t left = len - (uint64_t)(z.next_in - in);
			z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
		}
		z.next_out = buf + z.total_out;
		z.avail_out =
		    cap - z.total_out > (1u << 30) ? (1u << 30) : (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_BUF_ERROR && z.avail_in == 0)
			rc = Z_DATA_ERROR; /* the stream ends before its end marker */
		else if (rc == Z_BUF_ERROR)
			rc = Z_OK; /* the output was full: grow it */
	}
	out->size = z.total_out;
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		if (rc == Z_MEM_ERROR)
			return kexe_fail(err, KEXE_EXIT_USAGE,
					 "the gzip-compressed kernel unpacks to more than %llu MiB "
					 "(or memory ran out); give the kernel image itself",
					 KEXE_MAX_KERNEL_SIZE >> 20);
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "the gzip-compressed kernel is damaged or cut off (%s); fetch it "
				 "again, or give the uncompressed image",
				 rc == Z_DATA_ERROR ? "bad data" : "inflate failed");
	}
	out->data = buf;
	return 0;
}

static int zboot(const unsigned char *data, uint64_t size, struct kexe_unwrapped *out,
		 struct kexe_err *err)
{
	uint64_t off = kexe_le32(data + 8), len = kexe_le32(data + 12);
	char comp[32];

	memcpy(comp, data + 24, sizeof comp - 1);
	comp[sizeof comp - 1] = 0;
	for (char *c = comp; *c; c++)
		if (*c < 'a' || *c > 'z')
			*c = '?';
	if (off < KEXE_ZBOOT_HEADER_SIZE || off > size || len > size - off)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "the EFI zboot image's payload (offset %llu, %llu bytes) lies "
				 "outside the %llu-byte file: it is damaged or cut off",
				 (unsigned long long)off, (unsigned long long)len,
				 (unsigned long long)size);
	if (strcmp(comp, "gzip"))
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "the EFI zboot image holds a %s-compressed Image and kexe unpacks "
				 "only gzip; extract it: tail -c +%llu FILE | head -c %llu | %s -d "
				 "> Image, and pack Image",
				 comp[0] ? comp : "(unnamed)", (unsigned long long)off + 1,
				 (unsigned long long)len, comp[0] ? comp : "DECOMPRESSOR");
	/* The payload size leaves out the 4-byte uncompressed size appended to the stream; gzip
	 * ends at its own end marker, so give it up to the end of the file. */
	if (gunzip(data + off, size - off, size - off >= len + 4 ? kexe_le32(data + off + len) : 0,
		   out, err))
		return -1;
	snprintf(out->what, sizeof out->what,
		 "an EFI zboot image (%.1f MiB gzip payload at offset %llu); unpacked the %.1f MiB "
		 "Image inside it",
		 (double)len / MIB, (unsigned long long)off, (double)out->size / MIB);
	return 0;
}

int kexe_unwrap_kernel(const unsigned char *data, uint64_t size, struct kexe_unwrapped *out,
		       struct kexe_err *err)
{
	memset(out, 0, sizeof *out);
	if (size >= KEXE_ZBOOT_HEADER_SIZE && !memcmp(data, "MZ", 2) &&
	    !memcmp(data + 4, "zimg", 4))
		return zboot(data, size, out, err);
	if (size < 18 || data[0] != 0x1f || data[1] != 0x8b)
		return 0;
	if (gunzip(data, size, kexe_le32(data + size - 4), out, err))
		return -1;
	snprintf(
	    out->what, sizeof out->what,
	    "gzip-compressed (%.1f MiB); unpacked it to %.1f MiB (kexec loads the plain image)",
	    (double)size / MIB, (double)out->size / MIB);
	return 0;
}
