/* Compressed kernels the packer unpacks before packing: kexec_file_load on arm64 wants the plain
 * Image, while distributions ship vmlinuz gzip'd or as an EFI zboot image (a small PE program
 * around the compressed Image). The packer uses zlib for this; the loader never decompresses
 * anything but LZ4. */
#ifndef KEXE_UNWRAP_H
#define KEXE_UNWRAP_H

#include <stdint.h>

#include "err.h"

/* EFI zboot header (drivers/firmware/efi/libstub/zboot-header.S): "MZ" at 0, "zimg" at 4,
 * payload offset (le32) at 8, payload size (le32) at 12, the compression as a NUL-terminated
 * name ("gzip", "zstd", ...) at 24. */
#define KEXE_ZBOOT_HEADER_SIZE 64

struct kexe_unwrapped {
	unsigned char *data; /* heap (free()); NULL when the input was neither gzip nor zboot */
	uint64_t size;
	char what[200]; /* what was done, e.g. "gzip-compressed (10.1 MiB); unpacked ..." */
};

/* When data[0..size) is a gzip stream, or an EFI zboot image with a gzip payload, inflates it
 * into out->data (at most KEXE_MAX_KERNEL_SIZE bytes) and says so in out->what. Anything else
 * is left alone: out->data NULL, return 0. Returns -1 with err (KEXE_EXIT_USAGE) for a damaged
 * stream, a zboot header pointing outside the file, or a zboot payload compressed with
 * something other than gzip (the message says how to extract it by hand). */
int kexe_unwrap_kernel(const unsigned char *data, uint64_t size, struct kexe_unwrapped *out,
		       struct kexe_err *err);

#endif
