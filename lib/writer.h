/* Writing a bundle: the packer's half of the format. */
#ifndef KEXE_WRITER_H
#define KEXE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "err.h"
#include "format.h"

/* The stub is padded to this boundary so sections start page-aligned. */
#define KEXE_PAYLOAD_ALIGN 4096

struct kexe_pack_input {
	uint32_t type; /* enum kexe_section_type */
	const unsigned char *data;
	uint64_t size;
};

struct kexe_pack_options {
	uint32_t arch;		   /* enum kexe_arch_id */
	int lz4_level;		   /* LZ4 frame compression level: 0 = fast, up to 12 (HC) */
	kexe_progress_fn progress; /* called with input bytes consumed; may be NULL */
	void *progress_ctx;
};

/* Writes a complete bundle to fd starting at offset 0: the stub bytes, zero padding to
 * KEXE_PAYLOAD_ALIGN, each input as one section in the given order (an LZ4 frame when that saves
 * at least 1/32 of the input, else raw), the section table and the trailer. Does not check the
 * inputs' meaning (the caller checks the kernel); the caller provides exactly one kernel and one
 * cmdline input. The output depends only on the arguments (reproducible). Returns 0 or -1 with
 * err. On failure fd holds garbage. */
int kexe_bundle_write(int fd, const unsigned char *stub, size_t stub_size,
		      const struct kexe_pack_input *inputs, unsigned count,
		      const struct kexe_pack_options *opt, struct kexe_err *err);

#endif
