#include <string.h>

#include "fixtures.h"
#include "kernel.h"
#include "test.h"

static unsigned char img[8192];

TEST(bzimage_and_arm64_headers_are_recognised)
{
	struct kexe_kernel_info info;

	fixture_bzimage(img, sizeof img, 2047);
	CHECK(kexe_kernel_probe(img, KEXE_KERNEL_PROBE_SIZE, sizeof img, &info, NULL) == 0);
	CHECK(info.arch == KEXE_ARCH_X86_64);
	CHECK(info.cmdline_max == 2047);
	CHECK(info.memory_size == 4 * sizeof img);
	fixture_arm64(img, sizeof img);
	CHECK(kexe_kernel_probe(img, KEXE_KERNEL_PROBE_SIZE, sizeof img, &info, NULL) == 0);
	CHECK(info.arch == KEXE_ARCH_AARCH64);
}

static int refused(void (*mutate)(unsigned char *), const char *word)
{
	struct kexe_kernel_info info;
	struct kexe_err err;

	fixture_bzimage(img, sizeof img, 2047);
	mutate(img);
	return kexe_kernel_probe(img, KEXE_KERNEL_PROBE_SIZE, sizeof img, &info, &err) == -1 &&
	       strstr(err.msg, word) != NULL;
}

static void old_protocol(unsigned char *h)
{
	h[0x206] = 0x0b;
}
static void no_64bit(unsigned char *h)
{
	h[0x236] = 0x02;
}
static void no_hdrs(unsigned char *h)
{
	h[0x202] = 'X';
}
static void gzip(unsigned char *h)
{
	h[0] = 0x1f;
	h[1] = 0x8b;
}
static void elf(unsigned char *h)
{
	memcpy(h,
	       "\x7f"
	       "ELF",
	       4);
}
static void long_syssize(unsigned char *h)
{
	h[0x1f4 + 3] = 0x10;
}
static void zimage(unsigned char *h)
{
	h[0x211] = 0;
}

TEST(non_kernels_and_unloadable_kernels_are_refused)
{
	CHECK(refused(old_protocol, "2.12"));
	CHECK(refused(no_64bit, "32-bit"));
	CHECK(refused(no_hdrs, "not a Linux kernel"));
	CHECK(refused(gzip, "gzip"));
	CHECK(refused(elf, "ELF"));
	CHECK(refused(long_syssize, "truncated"));
	CHECK(refused(zimage, "zImage"));
}
