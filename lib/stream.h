/* A bundle that arrives once, front to back, on a pipe: the shell form run as `curl ... | sh`
 * writes only the loader (the stub) to a file and runs it with the rest of its input, so the
 * payload is never stored whole. The loader reads it as if it were a file: kexe_pread_full()
 * and kexe_file_size() (io.h) serve the descriptor the stream is attached to.
 *
 * The bundle is pieced together from three places:
 *   [0, payload_offset)             the loader's own file (self_fd), as the shell form wrote it
 *   [payload_offset, table_offset)  the pipe, read strictly forward
 *   [table_offset, file_size)       the index (section table and trailer) the shell form passes
 *                                   in the environment, so the table is known before the
 *                                   payload has arrived; the pipe's copy must equal it.
 *
 * A read of the pipe region beyond the current position reads and discards the gap. A read
 * before it is served from a copy of the first KEXE_STREAM_KEEP bytes of the region (the kernel
 * header is peeked before the kernel is decoded); anything else before it is refused. Every
 * byte of the bundle goes through SHA-256 in order. One stream per process. */
#ifndef KEXE_STREAM_H
#define KEXE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "format.h"
#include "sha256.h"

/* The environment variable the shell form runs the loader with: FD:PAYLOAD_OFFSET:SHA256:INDEX
 * (decimal fd and offset, the bundle's SHA-256 and its index as lowercase hex). */
#define KEXE_STREAM_ENV "KEXE_STREAM"

/* The environment variable the shell form run as a file (not from a pipe) runs the unpacked
 * bundle with: the whole bundle's SHA-256 as 64 lowercase hex digits, which the loader checks
 * before anything else, as it checks a stream's (kexe_stream_check_file). */
#define KEXE_FILE_SHA256_ENV "KEXE_FILE_SHA256"

/* An LZ4 peek reads whole 4 MiB blocks plus the frame and block headers, in 64 KiB reads
 * (decode.c peek_lz4): this much of the pipe region is kept for reading again. */
#define KEXE_STREAM_KEEP ((4u << 20) + (128u << 10))

/* The longest index: the trailer and a table of KEXE_MAX_SECTIONS entries. */
#define KEXE_STREAM_MAX_INDEX (KEXE_TRAILER_SIZE + KEXE_MAX_SECTIONS * KEXE_ENTRY_SIZE)

/* Attaches the stream: in_fd is read sequentially from the bundle's payload_offset on (the pipe
 * after the loader); self_fd holds exactly the bundle's first payload_offset bytes; index is
 * the bundle's bytes from table_offset to the end (copied). sha256 (32 bytes) is the whole
 * bundle's expected SHA-256, or NULL to compute it without a comparison. Checks the index only
 * as far as the piecing together needs (length, magic, offsets that fit): kexe_bundle_open()
 * validates the rest. Reads and hashes the loader's bytes. Replaces any earlier stream.
 * Returns 0, or -1 with err (KEXE_EXIT_BUNDLE for a bad index or loader file, KEXE_EXIT_MEMORY,
 * KEXE_EXIT_IO). */
int kexe_stream_attach(int in_fd, int self_fd, uint64_t payload_offset, const unsigned char *index,
		       size_t index_len, const unsigned char *sha256, struct kexe_err *err);

/* Parses spec, the KEXE_STREAM_ENV value, strictly and attaches the stream on its fd. */
int kexe_stream_attach_spec(const char *spec, int self_fd, struct kexe_err *err);

/* The descriptor the stream is attached to, or -1 when there is none. */
int kexe_stream_fd(void);

/* Size of the streamed bundle: table_offset + index length. */
uint64_t kexe_stream_size(void);

/* Reads len bytes of the bundle at off into buf, as described above. Returns 0, or -1 with err:
 * KEXE_EXIT_BUNDLE when the pipe ends early or a read goes back past what was kept,
 * KEXE_EXIT_IO when a read fails. */
int kexe_stream_read(void *buf, size_t len, uint64_t off, struct kexe_err *err);

/* Reads and discards what is left of the payload, then requires the pipe's section table and
 * trailer to equal the index, the pipe to end right after them, and the SHA-256 of the whole
 * bundle to be the expected one. Call it before anything read from the stream is used for
 * good. Returns 0 (also when called again after success), or -1 with err (KEXE_EXIT_BUNDLE). */
int kexe_stream_finish(struct kexe_err *err);

/* Reads the bundle file at fd whole and requires its SHA-256 to be the one spec (the
 * KEXE_FILE_SHA256_ENV value) names: the shell form's file mode gets the same check as a stream,
 * also where the script had no sha256sum to check the unpacked file with. Returns 0, or -1 with
 * err (KEXE_EXIT_USAGE for a malformed spec, KEXE_EXIT_BUNDLE for another SHA-256,
 * KEXE_EXIT_IO). */
int kexe_stream_check_file(const char *spec, int fd, struct kexe_err *err);

/* Forgets the stream and frees what it kept; closes neither descriptor. */
void kexe_stream_detach(void);

#endif
