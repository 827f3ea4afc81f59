/* The arm64 Image header (Documentation/arch/arm64/booting.rst) beyond what kexe_kernel_probe
 * reads: text_offset and the flags (endianness, page size, placement). The packer checks them
 * before writing an arm64 bundle; the arm64 loader before loading one. Kept apart from
 * kernel.c so the x86_64 loader, which only has to recognise an arm64 Image to refuse it, is
 * not changed by them. */
#ifndef KEXE_ARM64_H
#define KEXE_ARM64_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define KEXE_ARM64_HEADER_SIZE 64

struct kexe_arm64_image {
	uint64_t text_offset; /* image load offset from a 2 MiB aligned base */
	uint64_t image_size;  /* bytes the kernel occupies in memory, from its start */
	uint64_t flags;
	unsigned page_size; /* 4096, 16384 or 65536; 0 when the header does not say */
};

/* Reads the header of the arm64 Image whose first head_len bytes are head and checks what
 * kexec_file_load on an arm64 host needs: the "ARM\x64" magic, image_size non-zero (Linux
 * 3.17 and newer), little-endian (flags bit 0 clear: arm64 hosts run little-endian kernels,
 * and the running kernel answers EINVAL for the other endianness), text_offset 4 KiB aligned
 * and inside the 2 MiB block. Returns 0 and fills *img, or -1 with err (KEXE_EXIT_BUNDLE)
 * naming the field. err may be NULL. */
int kexe_arm64_image_read(const unsigned char *head, size_t head_len, struct kexe_arm64_image *img,
			  struct kexe_err *err);

/* "arm64 Image, 4K pages" (or "16K pages", "64K pages", "page size unspecified"). */
void kexe_arm64_describe(const struct kexe_arm64_image *img, char *out, size_t size);

#endif
