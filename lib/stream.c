#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "stream.h"

#define AGAIN "download it again"

/* The descriptor the stream is attached to, -1 when none. Apart from st, which is zero at start
 * and so costs the loader's file nothing. */
static int stream_fd = -1;

static struct {
	int self_fd;
	int finished, broken;
	uint64_t payload_offset, table_offset, size;
	uint64_t pos; /* the next pipe byte is the bundle's byte pos */
	unsigned char index[KEXE_STREAM_MAX_INDEX];
	size_t index_len;
	unsigned char *kept; /* the pipe region's first bytes, as read */
	size_t kept_cap, kept_len;
	struct kexe_sha256 sha;
	int check_sha;
	unsigned char want[KEXE_SHA256_SIZE];
} st;

/* Where skipped bytes go on their way to the hash. */
static unsigned char scratch[65536];

void kexe_stream_detach(void)
{
	free(st.kept);
	st.kept = NULL;
	stream_fd = -1;
}

int kexe_stream_fd(void)
{
	return stream_fd;
}

uint64_t kexe_stream_size(void)
{
	return st.size;
}

static int bad_index(const char *why, struct kexe_err *err)
{
	return kexe_fail(err, KEXE_EXIT_BUNDLE,
			 "the shell form passed a bad bundle index to the loader (%s); " AGAIN,
			 why);
}

/* Only what piecing the bundle together relies on: kexe_bundle_open() checks the rest. Sets
 * *table_offset. */
static int check_index(const unsigned char *index, size_t len, uint64_t payload_offset,
		       uint64_t *table_offset, struct kexe_err *err)
{
	struct kexe_trailer t;

	if (len < KEXE_TRAILER_SIZE + 2 * KEXE_ENTRY_SIZE || len > KEXE_STREAM_MAX_INDEX ||
	    len % KEXE_ENTRY_SIZE)
		return bad_index("wrong length", err);
	if (memcmp(index + len - KEXE_TRAILER_SIZE, KEXE_MAGIC, KEXE_MAGIC_LEN))
		return bad_index("no trailer at its end", err);
	kexe_trailer_decode(&t, index + len - KEXE_TRAILER_SIZE);
	if (t.payload_offset != payload_offset || payload_offset == 0 ||
	    payload_offset > KEXE_MAX_STUB_SIZE)
		return bad_index("the loader size does not match", err);
	/* Bounded so that table_offset + len and every offset below it fit in 63 bits. */
	if (t.table_offset < payload_offset || t.table_offset > (1ull << 62))
		return bad_index("impossible table offset", err);
	*table_offset = t.table_offset;
	return 0;
}

/* Feeds the loader's file to the hash: it is the bundle's first payload_offset bytes. */
static int hash_loader(int self_fd, struct kexe_err *err)
{
	uint64_t size;

	if (kexe_file_size(self_fd, &size, err))
		return -1;
	if (size != st.payload_offset)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 "the loader's file is %llu bytes, not %llu (cut off?); " AGAIN,
				 (unsigned long long)size, (unsigned long long)st.payload_offset);
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof scratch ? (size_t)(size - off) : sizeof scratch;
		if (kexe_pread_full(self_fd, scratch, n, off, err))
			return -1;
		kexe_sha256_update(&st.sha, scratch, n);
		off += n;
	}
	return 0;
}

int kexe_stream_attach(int in_fd, int self_fd, uint64_t payload_offset, const unsigned char *index,
		       size_t index_len, const unsigned char *sha256, struct kexe_err *err)
{
	uint64_t region, table_offset = 0;

	kexe_stream_detach();
	if (check_index(index, index_len, payload_offset, &table_offset, err))
		return -1;
	memcpy(st.index, index, index_len);
	st.index_len = index_len;
	st.self_fd = self_fd;
	st.finished = st.broken = 0;
	st.payload_offset = st.pos = payload_offset;
	st.table_offset = table_offset;
	st.size = st.table_offset + index_len;
	st.check_sha = sha256 != NULL;
	if (sha256)
		memcpy(st.want, sha256, sizeof st.want);
	kexe_sha256_init(&st.sha);
	if (hash_loader(self_fd, err))
		return -1;
	region = st.table_offset - st.payload_offset;
	st.kept_cap = region < KEXE_STREAM_KEEP ? (size_t)region : KEXE_STREAM_KEEP;
	st.kept_len = 0;
	st.kept = malloc(st.kept_cap ? st.kept_cap : 1);
	if (!st.kept)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory for the stream's buffer");
	stream_fd = in_fd;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2 * len lowercase hex digits up to end. */
static int parse_hex(const char *s, const char *end, unsigned char *out, size_t len)
{
	if ((size_t)(end - s) != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A decimal number of 1 to 9 digits without a leading zero (unless it is 0), ending at ':'. */
static const char *parse_number(const char *s, uint64_t *out)
{
	const char *p = s;

	*out = 0;
	for (; *p >= '0' && *p <= '9' && p - s < 9; p++)
		*out = *out * 10 + (uint64_t)(*p - '0');
	if (p == s || *p != ':' || (*s == '0' && p - s > 1))
		return NULL;
	return p + 1;
}

int kexe_stream_attach_spec(const char *spec, int self_fd, struct kexe_err *err)
{
	static unsigned char index[KEXE_STREAM_MAX_INDEX];
	unsigned char sha[KEXE_SHA256_SIZE];
	const char *p = spec, *colon;
	uint64_t fd, offset;
	size_t len;

	p = parse_number(p, &fd);
	p = p ? parse_number(p, &offset) : NULL;
	colon = p ? strchr(p, ':') : NULL;
	if (!colon || fd > 1023 || parse_hex(p, colon, sha, sizeof sha))
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "%s is not FD:OFFSET:SHA256:INDEX; it is meant for the shell form "
				 "only, unset it",
				 KEXE_STREAM_ENV);
	len = strlen(colon + 1) / 2;
	if (len > sizeof index || parse_hex(colon + 1, colon + 1 + strlen(colon + 1), index, len))
		return bad_index("not hex", err);
	return kexe_stream_attach((int)fd, self_fd, offset, index, len, sha, err);
}

int kexe_stream_check_file(const char *spec, int fd, struct kexe_err *err)
{
	unsigned char want[KEXE_SHA256_SIZE], got[KEXE_SHA256_SIZE];
	char got_hex[KEXE_SHA256_HEX_SIZE], want_hex[KEXE_SHA256_HEX_SIZE];
	struct kexe_sha256 sha;
	uint64_t size;

	if (parse_hex(spec, spec + strlen(spec), want, sizeof want))
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "%s is not a SHA-256 in hex; it is meant for the shell form only, "
				 "unset it",
				 KEXE_FILE_SHA256_ENV);
	if (kexe_file_size(fd, &size, err))
		return -1;
	kexe_sha256_init(&sha);
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof scratch ? (size_t)(size - off) : sizeof scratch;
		if (kexe_pread_full(fd, scratch, n, off, err))
			return -1;
		kexe_sha256_update(&sha, scratch, n);
		off += n;
	}
	kexe_sha256_final(&sha, got);
	if (memcmp(got, want, sizeof got)) {
		kexe_sha256_to_hex(got, got_hex);
		kexe_sha256_to_hex(want, want_hex);
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "the bundle's SHA-256 is %s, not %s (damaged or replaced?); " AGAIN, got_hex,
		    want_hex);
	}
	return 0;
}

static int cut_off(struct kexe_err *err)
{
	st.broken = 1;
	return kexe_fail(err, KEXE_EXIT_BUNDLE,
			 "the stream ended early at byte %llu of %llu (download cut off?); " AGAIN,
			 (unsigned long long)st.pos, (unsigned long long)st.size);
}

/* Reads exactly len bytes from the pipe into buf and hashes them; keeps the first ones. */
static int pipe_read(unsigned char *buf, size_t len, struct kexe_err *err)
{
	while (len > 0) {
		ssize_t n = read(stream_fd, buf, len);
		uint64_t rel = st.pos - st.payload_offset;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st.broken = 1;
			return kexe_fail_errno(err, KEXE_EXIT_IO, errno,
					       "reading the stream failed at byte %llu: %s",
					       (unsigned long long)st.pos, strerror(errno));
		}
		if (n == 0)
			return cut_off(err);
		kexe_sha256_update(&st.sha, buf, (size_t)n);
		if (st.kept && rel < st.kept_cap) {
			size_t k =
			    st.kept_cap - rel < (size_t)n ? (size_t)(st.kept_cap - rel) : (size_t)n;
			memcpy(st.kept + rel, buf, k);
			st.kept_len = (size_t)rel + k;
		}
		st.pos += (uint64_t)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads and hashes the pipe up to the bundle's byte end. */
static int skip_to(uint64_t end, struct kexe_err *err)
{
	while (st.pos < end) {
		size_t n = end - st.pos < sizeof scratch ? (size_t)(end - st.pos) : sizeof scratch;
		if (pipe_read(scratch, n, err))
			return -1;
	}
	return 0;
}

/* The part of [off, off + len) in the pipe region, which lies within it. */
static int region_read(unsigned char *buf, size_t len, uint64_t off, struct kexe_err *err)
{
	if (off < st.pos) {
		uint64_t rel = off - st.payload_offset;
		size_t n = st.pos - off < len ? (size_t)(st.pos - off) : len;
		if (!st.kept || rel + n > st.kept_len)
			return kexe_fail(
			    err, KEXE_EXIT_BUNDLE,
			    "the streamed bundle was read out of order (byte %llu after "
			    "byte %llu): a bug in kexe, or sections not in the order kexe "
			    "packs them; download the bundle and run it as a file",
			    (unsigned long long)off, (unsigned long long)st.pos);
		memcpy(buf, st.kept + rel, n);
		buf += n;
		off += n;
		len -= n;
	} else if (st.kept && off - st.payload_offset >= st.kept_cap) {
		/* past the kept bytes: nothing correct reads them again */
		free(st.kept);
		st.kept = NULL;
	}
	if (len == 0)
		return 0;
	if (skip_to(off, err))
		return -1;
	return pipe_read(buf, len, err);
}

int kexe_stream_read(void *buf, size_t len, uint64_t off, struct kexe_err *err)
{
	unsigned char *p = buf;

	if (stream_fd < 0 || st.broken || st.finished)
		return kexe_fail(err, KEXE_EXIT_INTERNAL,
				 "the stream was read after it %s; please report this bug",
				 st.finished ? "was finished" : "failed");
	if (off > st.size || len > st.size - off)
		return kexe_fail(
		    err, KEXE_EXIT_BUNDLE,
		    "bundle is truncated: it ended at offset %llu while reading; " AGAIN,
		    (unsigned long long)st.size);
	while (len > 0) {
		uint64_t end = off < st.payload_offset ? st.payload_offset
			       : off < st.table_offset ? st.table_offset
						       : st.size;
		size_t n = end - off < len ? (size_t)(end - off) : len;

		if (off >= st.table_offset)
			memcpy(p, st.index + (off - st.table_offset), n);
		else if (off >= st.payload_offset ? region_read(p, n, off, err)
						  : kexe_pread_full(st.self_fd, p, n, off, err))
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int kexe_stream_finish(struct kexe_err *err)
{
	static unsigned char tail[KEXE_STREAM_MAX_INDEX];
	unsigned char digest[KEXE_SHA256_SIZE], extra;
	char got[KEXE_SHA256_HEX_SIZE], want[KEXE_SHA256_HEX_SIZE];
	ssize_t n;

	if (st.finished)
		return 0;
	if (stream_fd < 0 || st.broken)
		return kexe_fail(err, KEXE_EXIT_INTERNAL,
				 "the stream was finished after it failed; please report this bug");
	if (skip_to(st.table_offset, err) || pipe_read(tail, st.index_len, err))
		return -1;
	st.broken = 1; /* whatever fails below, the stream is used up */
	if (memcmp(tail, st.index, st.index_len))
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 "the streamed bundle's section table or trailer differs from the "
				 "one the shell form announced (damaged?); " AGAIN);
	do
		n = read(stream_fd, &extra, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0)
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 n > 0 ? "there are bytes after the bundle's end in the stream "
					 "(not a kexe shell form, or damaged?); " AGAIN
				       : "reading the end of the stream failed; " AGAIN);
	kexe_sha256_final(&st.sha, digest);
	if (st.check_sha && memcmp(digest, st.want, sizeof digest)) {
		kexe_sha256_to_hex(digest, got);
		kexe_sha256_to_hex(st.want, want);
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 "the streamed bundle's SHA-256 is %s, not %s (damaged?); " AGAIN,
				 got, want);
	}
	st.broken = 0;
	st.finished = 1;
	free(st.kept);
	st.kept = NULL;
	return 0;
}
