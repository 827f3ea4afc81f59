#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "format.h"
#include "kernel.h"

/* x86 boot protocol offsets (Documentation/arch/x86/boot.rst) */
#define X86_SETUP_SECTS 0x1f1
#define X86_SYSSIZE 0x1f4
#define X86_BOOT_FLAG 0x1fe
#define X86_HEADER 0x202
#define X86_VERSION 0x206
#define X86_LOADFLAGS 0x211
#define X86_XLOADFLAGS 0x236
#define X86_CMDLINE_SIZE 0x238
#define X86_INIT_SIZE 0x260
#define X86_LOADED_HIGH 0x01
#define X86_XLF_KERNEL_64 0x01
#define X86_XLF_ABOVE_4G 0x02
#define X86_XLF_5LEVEL 0x20
/* arm64 Image header (Documentation/arch/arm64/booting.rst) */
#define ARM64_IMAGE_SIZE 16
#define ARM64_MAGIC_OFFSET 56
#define ARM64_MAGIC 0x644d5241u
#define ARM64_HEADER_SIZE 64

const char *kexe_arch_name(uint32_t arch)
{
	switch (arch) {
	case KEXE_ARCH_X86_64:
		return "x86_64";
	case KEXE_ARCH_AARCH64:
		return "arm64";
	}
	return "unknown";
}

uint32_t kexe_host_arch(void)
{
#if defined(__x86_64__)
	return KEXE_ARCH_X86_64;
#elif defined(__aarch64__)
	return KEXE_ARCH_AARCH64;
#else
	return 0;
#endif
}

static int refuse(struct kexe_err *err, const char *what, const char *advice)
{
	return kexe_fail(err, KEXE_EXIT_BUNDLE, "kernel image is %s; %s", what, advice);
}

static int probe_x86(const unsigned char *h, uint64_t file_size, struct kexe_kernel_info *info,
		     struct kexe_err *err)
{
	uint16_t version = kexe_le16(h + X86_VERSION);
	unsigned setup_sects = h[X86_SETUP_SECTS] ? h[X86_SETUP_SECTS] : 4;
	uint64_t setup = (uint64_t)(setup_sects + 1) * 512;
	uint64_t payload = (uint64_t)kexe_le32(h + X86_SYSSIZE) * 16;
	const char *use = "give the 64-bit bzImage (arch/x86/boot/bzImage, /boot/vmlinuz-*)";

	if (kexe_le16(h + X86_BOOT_FLAG) != 0xAA55)
		return refuse(err, "an x86 boot header without the 0xAA55 boot flag", use);
	if (version < 0x020c)
		return refuse(err, "an x86 kernel with boot protocol older than 2.12", use);
	if (!(h[X86_LOADFLAGS] & X86_LOADED_HIGH))
		return refuse(err, "an x86 zImage, not a bzImage", use);
	if (!(kexe_le16(h + X86_XLOADFLAGS) & X86_XLF_KERNEL_64))
		return refuse(err, "a 32-bit x86 kernel (no 64-bit entry point)", use);
	if (!(kexe_le16(h + X86_XLOADFLAGS) & X86_XLF_ABOVE_4G))
		return refuse(err, "an x86 kernel that cannot be loaded above 4 GiB", use);
	if (setup + payload > file_size)
		return refuse(err, "a truncated bzImage (its header claims more bytes)", use);
	info->arch = KEXE_ARCH_X86_64;
	info->cmdline_max = kexe_le32(h + X86_CMDLINE_SIZE);
	info->five_level = !!(kexe_le16(h + X86_XLOADFLAGS) & X86_XLF_5LEVEL);
	info->memory_size = kexe_le32(h + X86_INIT_SIZE);
	if (info->memory_size < file_size)
		info->memory_size = file_size;
	snprintf(info->description, sizeof info->description,
		 "x86_64 bzImage, boot protocol %u.%02u", version >> 8, version & 0xff);
	return 0;
}

static int probe_arm64(const unsigned char *h, uint64_t file_size, struct kexe_kernel_info *info,
		       struct kexe_err *err)
{
	uint64_t image_size = kexe_le64(h + ARM64_IMAGE_SIZE);

	if (image_size == 0)
		return refuse(err, "an arm64 Image from before Linux 3.17 (image_size 0)",
			      "use a newer kernel");
	info->arch = KEXE_ARCH_AARCH64;
	info->five_level = 1;	  /* not an x86 notion */
	info->cmdline_max = 2047; /* COMMAND_LINE_SIZE on arm64 is 2048 with the NUL */
	info->memory_size = image_size > file_size ? image_size : file_size;
	snprintf(info->description, sizeof info->description, "arm64 Image");
	return 0;
}

int kexe_kernel_probe(const unsigned char *head, size_t head_len, uint64_t file_size,
		      struct kexe_kernel_info *info, struct kexe_err *err)
{
	memset(info, 0, sizeof *info);
	if (head_len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return refuse(err, "gzip-compressed",
			      "decompress it first (zcat vmlinuz > Image) and pack the result");
	if (head_len >= 4 && !memcmp(head,
				     "\x7f"
				     "ELF",
				     4))
		return refuse(err, "an ELF vmlinux",
			      "give the bootable image (bzImage on x86_64, Image on arm64)");
	if (head_len >= 8 && !memcmp(head, "MZ", 2) && !memcmp(head + 4, "zimg", 4))
		return refuse(err, "an EFI zboot image",
			      "extract the Image inside it and pack that");
	if (head_len >= ARM64_HEADER_SIZE && kexe_le32(head + ARM64_MAGIC_OFFSET) == ARM64_MAGIC)
		return probe_arm64(head, file_size, info, err);
	if (head_len >= X86_INIT_SIZE + 4 && !memcmp(head + X86_HEADER, "HdrS", 4))
		return probe_x86(head, file_size, info, err);
	return refuse(err, "not a Linux kernel image (no bzImage or arm64 Image header)",
		      "give the kernel file (bzImage, vmlinuz or Image)");
}
