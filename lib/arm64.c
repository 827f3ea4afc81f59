#include <stdio.h>
#include <string.h>

#include "arm64.h"
#include "bytes.h"

/* Header offsets and flag bits (Documentation/arch/arm64/booting.rst) */
#define ARM64_TEXT_OFFSET 8
#define ARM64_IMAGE_SIZE 16
#define ARM64_FLAGS 24
#define ARM64_MAGIC_OFFSET 56
#define ARM64_MAGIC 0x644d5241u
#define ARM64_FLAG_BE 0x1u
#define ARM64_FLAG_PAGE_SHIFT 1
#define ARM64_FLAG_PAGE_MASK 0x3u
#define ARM64_BLOCK (2u << 20) /* text_offset is from a 2 MiB aligned base */

static int refuse(struct kexe_err *err, const char *what, const char *advice)
{
	return kexe_fail(err, KEXE_EXIT_BUNDLE, "kernel image is %s; %s", what, advice);
}

int kexe_arm64_image_read(const unsigned char *head, size_t head_len, struct kexe_arm64_image *img,
			  struct kexe_err *err)
{
	static const unsigned page_sizes[] = {0, 4096, 16384, 65536};
	char what[96];

	memset(img, 0, sizeof *img);
	if (head_len < KEXE_ARM64_HEADER_SIZE ||
	    kexe_le32(head + ARM64_MAGIC_OFFSET) != ARM64_MAGIC)
		return refuse(err, "not an arm64 Image (no \"ARM\\x64\" magic at offset 56)",
			      "give the arm64 kernel (arch/arm64/boot/Image or /boot/vmlinuz-*)");
	img->text_offset = kexe_le64(head + ARM64_TEXT_OFFSET);
	img->image_size = kexe_le64(head + ARM64_IMAGE_SIZE);
	img->flags = kexe_le64(head + ARM64_FLAGS);
	img->page_size = page_sizes[(img->flags >> ARM64_FLAG_PAGE_SHIFT) & ARM64_FLAG_PAGE_MASK];
	if (img->image_size == 0)
		return refuse(err, "an arm64 Image from before Linux 3.17 (image_size 0)",
			      "use a newer kernel");
	if (img->flags & ARM64_FLAG_BE)
		return refuse(err, "a big-endian arm64 Image (flags bit 0 set)",
			      "arm64 hosts run little-endian kernels: build it without "
			      "CONFIG_CPU_BIG_ENDIAN");
	if (img->text_offset % 4096 || img->text_offset >= ARM64_BLOCK) {
		snprintf(what, sizeof what,
			 "an arm64 Image with text_offset 0x%llx (not 4 KiB aligned inside 2 MiB)",
			 (unsigned long long)img->text_offset);
		return refuse(err, what, "the header is damaged: give the Image as built");
	}
	return 0;
}

void kexe_arm64_describe(const struct kexe_arm64_image *img, char *out, size_t size)
{
	if (img->page_size)
		snprintf(out, size, "arm64 Image, %uK pages", img->page_size / 1024);
	else
		snprintf(out, size, "arm64 Image, page size unspecified");
}
