#include <errno.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "writer.h"
#include "xxh64.h"

#define CHUNK (4u << 20)

struct lz4_out {
	int fd;
	uint64_t off;	   /* where the section starts */
	uint64_t size;	   /* bytes written so far */
	uint64_t limit;	   /* give up once the frame reaches this size */
	uint64_t consumed; /* input bytes compressed so far */
	struct kexe_xxh64 hash;
};

static int emit(struct lz4_out *o, const unsigned char *buf, size_t n, struct kexe_err *err)
{
	if (kexe_pwrite_full(o->fd, buf, n, o->off + o->size, "the bundle", err))
		return -1;
	kexe_xxh64_update(&o->hash, buf, n);
	o->size += n;
	return 0;
}

/* Returns 1 when the frame came out smaller than the input, 0 when it did not (the caller
 * stores the input raw), -1 on error. */
static int lz4_frame(struct lz4_out *o, const struct kexe_pack_input *in, LZ4F_cctx *cctx,
		     unsigned char *buf, size_t cap, const struct kexe_pack_options *opt,
		     struct kexe_err *err)
{
	LZ4F_preferences_t prefs = {
	    .frameInfo = {.blockSizeID = LZ4F_max4MB,
			  .blockMode = LZ4F_blockIndependent,
			  .contentChecksumFlag = LZ4F_contentChecksumEnabled,
			  .contentSize = in->size},
	    .compressionLevel = opt->lz4_level,
	};
	size_t n = LZ4F_compressBegin(cctx, buf, cap, &prefs);

	if (LZ4F_isError(n) || emit(o, buf, n, err))
		goto fail;
	for (uint64_t done = 0; done < in->size; done += CHUNK) {
		size_t len = in->size - done < CHUNK ? (size_t)(in->size - done) : CHUNK;
		n = LZ4F_compressUpdate(cctx, buf, cap, in->data + done, len, NULL);
		if (LZ4F_isError(n) || emit(o, buf, n, err))
			goto fail;
		o->consumed += len;
		if (opt->progress)
			opt->progress(opt->progress_ctx, len);
		if (o->size >= o->limit)
			return 0;
	}
	n = LZ4F_compressEnd(cctx, buf, cap, NULL);
	if (LZ4F_isError(n) || emit(o, buf, n, err))
		goto fail;
	return o->size < o->limit;
fail:
	if (LZ4F_isError(n))
		kexe_fail(err, KEXE_EXIT_INTERNAL, "LZ4 compression failed: %s",
			  LZ4F_getErrorName(n));
	return -1;
}

static int write_section(int fd, uint64_t off, const struct kexe_pack_input *in,
			 struct kexe_section *s, LZ4F_cctx *cctx, unsigned char *buf, size_t cap,
			 const struct kexe_pack_options *opt, struct kexe_err *err)
{
	/* LZ4 must save at least 1/32 to be worth it: a raw section unpacks with one copy, and a
	 * kexec_load run can read it where it lies in the bundle without copying it at all */
	struct lz4_out o = {.fd = fd, .off = off, .limit = in->size - in->size / 32};
	uint64_t original = kexe_xxh64(in->data, (size_t)in->size);
	int small;

	kexe_xxh64_init(&o.hash);
	s->type = in->type;
	s->offset = off;
	s->original_size = in->size;
	s->original_checksum = original;
	small = in->size > 0 ? lz4_frame(&o, in, cctx, buf, cap, opt, err) : 0;
	if (small < 0)
		return -1;
	if (small) {
		s->compression = KEXE_COMPRESSION_LZ4;
		s->stored_size = o.size;
		s->stored_checksum = kexe_xxh64_digest(&o.hash);
		return 0;
	}
	if (opt->progress && in->size > o.consumed)
		opt->progress(opt->progress_ctx, in->size - o.consumed);
	s->compression = KEXE_COMPRESSION_NONE;
	s->stored_size = in->size;
	s->stored_checksum = original;
	return kexe_pwrite_full(fd, in->data, (size_t)in->size, off, "the bundle", err);
}

static int write_payload(int fd, uint64_t off, const struct kexe_pack_input *inputs, unsigned count,
			 struct kexe_section *sections, const struct kexe_pack_options *opt,
			 struct kexe_err *err)
{
	LZ4F_preferences_t prefs = {.frameInfo = {.blockSizeID = LZ4F_max4MB}};
	size_t cap = LZ4F_compressBound(CHUNK, &prefs) + LZ4F_HEADER_SIZE_MAX;
	unsigned char *buf = malloc(cap);
	LZ4F_cctx *cctx = NULL;
	int rc = -1;

	if (!buf || LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION))) {
		kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory for the LZ4 encoder");
		goto out;
	}
	for (unsigned i = 0; i < count; i++) {
		if (write_section(fd, off, &inputs[i], &sections[i], cctx, buf, cap, opt, err))
			goto out;
		off += sections[i].stored_size;
	}
	rc = 0;
out:
	LZ4F_freeCompressionContext(cctx);
	free(buf);
	return rc;
}

int kexe_bundle_write(int fd, const unsigned char *stub, size_t stub_size,
		      const struct kexe_pack_input *inputs, unsigned count,
		      const struct kexe_pack_options *opt, struct kexe_err *err)
{
	static struct kexe_section sections[KEXE_MAX_SECTIONS];
	static unsigned char table[KEXE_MAX_SECTIONS * KEXE_ENTRY_SIZE];
	static const unsigned char zeros[KEXE_PAYLOAD_ALIGN];
	unsigned char trailer[KEXE_TRAILER_SIZE];
	struct kexe_xxh64 stub_hash;
	struct kexe_trailer t = {.version = KEXE_FORMAT_VERSION,
				 .arch = opt->arch,
				 .section_count = count,
				 .entry_size = KEXE_ENTRY_SIZE};
	size_t pad = (KEXE_PAYLOAD_ALIGN - stub_size % KEXE_PAYLOAD_ALIGN) % KEXE_PAYLOAD_ALIGN;
	uint64_t off;

	if (count < 2 || count > KEXE_MAX_SECTIONS)
		return kexe_fail(err, KEXE_EXIT_USAGE, "a bundle holds 2 to %d sections, not %u",
				 KEXE_MAX_SECTIONS, count);
	if (ftruncate(fd, 0))
		return kexe_fail(err, KEXE_EXIT_IO, "cannot truncate the output: %s",
				 strerror(errno));
	if (kexe_pwrite_full(fd, stub, stub_size, 0, "the bundle", err) ||
	    kexe_pwrite_full(fd, zeros, pad, stub_size, "the bundle", err))
		return -1;
	kexe_xxh64_init(&stub_hash);
	kexe_xxh64_update(&stub_hash, stub, stub_size);
	kexe_xxh64_update(&stub_hash, zeros, pad);
	t.stub_checksum = kexe_xxh64_digest(&stub_hash);
	t.payload_offset = stub_size + pad;
	if (write_payload(fd, t.payload_offset, inputs, count, sections, opt, err))
		return -1;
	off = t.payload_offset;
	for (unsigned i = 0; i < count; i++) {
		kexe_section_encode(&sections[i], table + (size_t)i * KEXE_ENTRY_SIZE);
		off += sections[i].stored_size;
	}
	t.table_offset = off;
	t.table_checksum = kexe_xxh64(table, (size_t)count * KEXE_ENTRY_SIZE);
	kexe_trailer_encode(&t, trailer);
	if (kexe_pwrite_full(fd, table, (size_t)count * KEXE_ENTRY_SIZE, off, "the bundle", err) ||
	    kexe_pwrite_full(fd, trailer, sizeof trailer, off + (uint64_t)count * KEXE_ENTRY_SIZE,
			     "the bundle", err))
		return -1;
	/* a raw section written after a longer abandoned frame leaves stale bytes past the end */
	if (ftruncate(fd, (off_t)(off + (uint64_t)count * KEXE_ENTRY_SIZE + KEXE_TRAILER_SIZE)))
		return kexe_fail(err, KEXE_EXIT_IO, "cannot truncate the output: %s",
				 strerror(errno));
	return 0;
}
