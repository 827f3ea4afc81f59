/* arm64: the Image header fields (lib/arm64.c), gzip'd and EFI zboot kernels unpacked by the
 * packer (packer/unwrap.c), arm64 bundles from kexe_pack, and the arm64 loader's explanation of
 * EINVAL (stub/arm64.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "arch.h"
#include "arm64.h"
#include "bytes.h"
#include "fdt.h"
#include "format.h"
#include "images.h"
#include "kernel.h"
#include "pack.h"
#include "test.h"
#include "unwrap.h"

#define IMAGE_SIZE 200000

static unsigned char img[IMAGE_SIZE];
static unsigned char packed[IMAGE_SIZE + 4096];

/* A synthetic arm64 Image with the given header fields. */
static void image(uint64_t text_offset, uint64_t flags)
{
	fixture_arm64(img, sizeof img);
	kexe_put64(img + 8, text_offset);
	kexe_put64(img + 24, flags);
}

static int header_refused(const char *word)
{
	struct kexe_arm64_image h;
	struct kexe_err err;

	return kexe_arm64_image_read(img, sizeof img, &h, &err) == -1 &&
	       err.code == KEXE_EXIT_BUNDLE && strstr(err.msg, word) != NULL;
}

TEST(arm64_header_fields_are_read)
{
	struct kexe_arm64_image h;
	char text[96];

	image(0, 0xa); /* little-endian, 4K pages, anywhere: Debian's */
	CHECK(kexe_arm64_image_read(img, sizeof img, &h, NULL) == 0);
	CHECK(h.text_offset == 0 && h.image_size == 2 * IMAGE_SIZE && h.flags == 0xa);
	CHECK(h.page_size == 4096);
	kexe_arm64_describe(&h, text, sizeof text);
	CHECK(!strcmp(text, "arm64 Image, 4K pages"));
	image(0x80000, 0x4); /* an older kernel: text_offset 512 KiB, 16K pages */
	CHECK(kexe_arm64_image_read(img, sizeof img, &h, NULL) == 0);
	CHECK(h.text_offset == 0x80000 && h.page_size == 16384);
	image(0, 0x6);
	CHECK(kexe_arm64_image_read(img, sizeof img, &h, NULL) == 0 && h.page_size == 65536);
	image(0, 0);
	CHECK(kexe_arm64_image_read(img, sizeof img, &h, NULL) == 0 && h.page_size == 0);
	kexe_arm64_describe(&h, text, sizeof text);
	CHECK(!strcmp(text, "arm64 Image, page size unspecified"));
}

TEST(arm64_header_big_endian_odd_offset_and_old_images_are_refused)
{
	image(0, 0xb);
	CHECK(header_refused("big-endian"));
	image(0x80001, 0xa);
	CHECK(header_refused("text_offset 0x80001"));
	image(2u << 20, 0xa);
	CHECK(header_refused("text_offset 0x200000"));
	image(0, 0xa);
	kexe_put64(img + 16, 0);
	CHECK(header_refused("before Linux 3.17"));
	image(0, 0xa);
	img[56] = 'X';
	CHECK(header_refused("not an arm64 Image"));
}

/* gzip (RFC 1952) of in[0..len) into out; returns the size. */
static size_t gzip(const unsigned char *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	n = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
	deflateEnd(&z);
	return n;
}

/* An EFI zboot image around a gzip stream of img, compression named comp; returns its size. */
static size_t zboot(const char *comp)
{
	size_t n;

	memset(packed, 0, KEXE_ZBOOT_HEADER_SIZE);
	memcpy(packed, "MZ\0\0zimg", 8);
	n = gzip(img, sizeof img, packed + KEXE_ZBOOT_HEADER_SIZE,
		 sizeof packed - KEXE_ZBOOT_HEADER_SIZE);
	/* the header's size leaves out the ISIZE field that ends a gzip stream */
	kexe_put32(packed + 8, KEXE_ZBOOT_HEADER_SIZE);
	kexe_put32(packed + 12, (uint32_t)n - 4);
	memcpy(packed + 24, comp, strlen(comp) + 1);
	return n ? KEXE_ZBOOT_HEADER_SIZE + n : 0;
}

TEST(gzip_and_zboot_kernels_are_unpacked)
{
	struct kexe_unwrapped u;
	size_t n;

	image(0, 0xa);
	n = gzip(img, sizeof img, packed, sizeof packed);
	CHECK(n > 0);
	CHECK(kexe_unwrap_kernel(packed, n, &u, NULL) == 0);
	CHECK(u.data && u.size == sizeof img && !memcmp(u.data, img, sizeof img));
	CHECK(strstr(u.what, "gzip-compressed") != NULL);
	free(u.data);

	n = zboot("gzip");
	CHECK(n > 0);
	CHECK(kexe_unwrap_kernel(packed, n, &u, NULL) == 0);
	CHECK(u.data && u.size == sizeof img && !memcmp(u.data, img, sizeof img));
	CHECK(strstr(u.what, "EFI zboot") != NULL);
	free(u.data);

	/* a plain Image (which starts with "MZ" too) is left alone */
	CHECK(kexe_unwrap_kernel(img, sizeof img, &u, NULL) == 0 && u.data == NULL);
}

TEST(damaged_or_unsupported_compressed_kernels_are_refused)
{
	struct kexe_unwrapped u;
	struct kexe_err err;
	size_t n;

	image(0, 0xa);
	n = gzip(img, sizeof img, packed, sizeof packed);
	CHECK(kexe_unwrap_kernel(packed, n / 2, &u, &err) == -1 && u.data == NULL);
	CHECK(err.code == KEXE_EXIT_USAGE && strstr(err.msg, "damaged or cut off") != NULL);
	packed[n / 2] ^= 0xff;
	CHECK(kexe_unwrap_kernel(packed, n, &u, &err) == -1 && u.data == NULL);

	n = zboot("zstd");
	CHECK(kexe_unwrap_kernel(packed, n, &u, &err) == -1);
	CHECK(strstr(err.msg, "zstd-compressed") && strstr(err.msg, "tail -c +65 FILE | head -c"));
	n = zboot("gzip");
	kexe_put32(packed + 12, (uint32_t)n); /* payload past the end of the file */
	CHECK(kexe_unwrap_kernel(packed, n, &u, &err) == -1 && strstr(err.msg, "outside") != NULL);
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;

	return (f && fclose(f) == 0 && ok) ? 0 : -1;
}

/* kexe_pack with stdout (its summary) out of the way. */
static int pack_quietly(const struct pack_args *a, struct kexe_err *err)
{
	int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY), rc;

	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	rc = kexe_pack(a, NULL, err);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	return rc;
}

TEST(gzipped_arm64_kernel_packs_into_an_arm64_bundle)
{
	char dir[] = "/tmp/kexe-unit-arm64.XXXXXX", kernel[64], bzimage[64], out[64];
	struct pack_args a = {.cmdline = "console=ttyAMA0", .lz4_level = 1};
	static struct kexe_bundle b;
	struct kexe_err err;
	size_t n;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(kernel, sizeof kernel, "%s/vmlinuz", dir);
	snprintf(bzimage, sizeof bzimage, "%s/bzImage", dir);
	snprintf(out, sizeof out, "%s/b.kexe", dir);
	image(0, 0xa);
	n = gzip(img, sizeof img, packed, sizeof packed);
	CHECK(write_file(kernel, packed, n) == 0);
	fixture_bzimage(img, sizeof img, 2047);
	CHECK(write_file(bzimage, img, sizeof img) == 0);

	a.kernel = kernel;
	a.output = out;
	CHECK(pack_quietly(&a, &err) == 0);
	fd = open(out, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(kexe_bundle_open(fd, &b, 1, &err) == 0);
	close(fd);
	CHECK(b.trailer.arch == KEXE_ARCH_AARCH64);
	CHECK(b.kernel->original_size == sizeof img); /* the unpacked Image, not the gzip */

	a.arch = KEXE_ARCH_X86_64; /* --arch x86_64 with an arm64 kernel */
	CHECK(pack_quietly(&a, &err) == -1 && err.code == KEXE_EXIT_USAGE);
	CHECK(strstr(err.msg, "--arch x86_64, but") != NULL);
	a.kernel = bzimage;
	a.arch = KEXE_ARCH_AARCH64;
	CHECK(pack_quietly(&a, &err) == -1 && strstr(err.msg, "x86_64 bzImage") != NULL);
	a.unchecked_kernel = 1; /* testing: an x86 kernel in an arm64 bundle */
	CHECK(pack_quietly(&a, &err) == 0);
	fd = open(out, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(kexe_bundle_open(fd, &b, 1, &err) == 0);
	close(fd);
	CHECK(b.trailer.arch == KEXE_ARCH_AARCH64);
	unlink(kernel);
	unlink(bzimage);
	unlink(out);
	rmdir(dir);
}

TEST(arm64_einval_names_both_causes_and_never_a_missing_syscall)
{
	struct kexe_payload p = {.kernel_size = 40u << 20, .initrd_size = 10u << 20};
	struct kexe_host h = {.root = 1, .mem_available = 900ull << 20, .mem_total = 1024ull << 20};
	struct kexe_err err;

	p.kernel.memory_size = 42u << 20;
	snprintf(p.kernel.description, sizeof p.kernel.description, "arm64 Image, 4K pages");
	CHECK(kexe_arm64_load_error("kexec_file_load", EINVAL, &p, &h, &err) == -1);
	CHECK(err.code == KEXE_EXIT_KERNEL);
	CHECK(!strncmp(err.msg, "kexec_file_load: invalid argument: ", 35));
	CHECK(strstr(err.msg, "cannot load this Image") != NULL);
	CHECK(strstr(err.msg, "memory is short") != NULL);
	CHECK(strstr(err.msg, "900 MiB of 1024 MiB") != NULL);
	CHECK(strstr(err.msg, "has no kexec_file_load") == NULL);
	CHECK(strlen(err.msg) < sizeof err.msg - 1); /* not cut off */
	/* other errnos keep the common explanation */
	CHECK(kexe_arm64_load_error("kexec_file_load", ENOMEM, &p, &h, &err) == 0);
	CHECK(kexe_arm64_load_error("kexec_file_load", ENOSYS, &p, &h, &err) == 0);
}

/* A small flattened device tree, built by hand: / { compatible; chosen { bootargs = old;
 * linux,initrd-start; kaslr-seed }; memory { reg } }, or without the chosen node. */
static size_t fdt_build(unsigned char *out, int with_chosen)
{
	static const char strings[] = "compatible\0bootargs\0linux,initrd-start\0kaslr-seed\0reg";
	unsigned char *p = out + 40 + 16; /* header, then an empty reservation map */
	size_t struct_off = 40 + 16, struct_size, strings_off;

#define BE32(v)                                                                                    \
	(p[0] = (unsigned char)((v) >> 24), p[1] = (unsigned char)((v) >> 16),                     \
	 p[2] = (unsigned char)((v) >> 8), p[3] = (unsigned char)(v), p += 4)
#define NODE(name) (BE32(1), memcpy(p, name, sizeof name), p += (sizeof name + 3) & ~3u)
#define PROP(off, val, len)                                                                        \
	(BE32(3), BE32(len), BE32(off), memcpy(p, val, len), p += ((len) + 3) & ~3u)
	memset(out, 0, 4096);
	NODE("");
	PROP(0, "linux,dummy-virt", 17);
	if (with_chosen) {
		NODE("chosen");
		PROP(11, "old", 4);
		PROP(20, "\0\0\0\0\0\0\0\1", 8);
		PROP(39, "\1\2\3\4\5\6\7\10", 8);
		BE32(2);
	}
	NODE("memory@40000000");
	PROP(50, "\0\0\0\0\x40\0\0\0\0\0\0\0\x10\0\0\0", 16);
	BE32(2);
	BE32(2);
	BE32(9);
	struct_size = (size_t)(p - out) - struct_off;
	strings_off = (size_t)(p - out);
	memcpy(p, strings, sizeof strings);
	p += sizeof strings;
	{
		size_t total = (size_t)(p - out);
		p = out;
		BE32(KEXE_FDT_MAGIC);
		BE32(total);
		BE32(struct_off);
		BE32(strings_off);
		BE32(40);
		BE32(17);
		BE32(16);
		BE32(0);
		BE32(sizeof strings);
		BE32(struct_size);
		return total;
	}
#undef BE32
#undef NODE
#undef PROP
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The value of property name of /chosen in tree t (its length in *len), or NULL; *count is
 * how many times it occurs there. */
static const unsigned char *chosen_prop(const unsigned char *t, const char *name, uint32_t *len,
					int *count)
{
	const unsigned char *s = t + rd32(t + 8), *strings = t + rd32(t + 12), *found = NULL;
	size_t pos = 0, size = rd32(t + 36);
	int depth = 0, chosen = 0;

	*count = 0;
	while (pos < size) {
		uint32_t tok = rd32(s + pos);
		pos += 4;
		if (tok == 1) {
			depth++;
			chosen = depth == 2 && !strcmp((const char *)s + pos, "chosen");
			pos += (strlen((const char *)s + pos) + 4) & ~(size_t)3;
		} else if (tok == 2) {
			depth--;
			chosen = 0;
		} else if (tok == 3) {
			uint32_t n = rd32(s + pos);
			if (chosen && !strcmp((const char *)strings + rd32(s + pos + 4), name)) {
				found = s + pos + 8;
				*len = n;
				++*count;
			}
			pos += (8 + n + 3) & ~(size_t)3;
		} else if (tok == 9) {
			break;
		}
	}
	return found;
}

TEST(device_tree_gets_a_new_chosen_node)
{
	static unsigned char in[4096], out[8192];
	size_t len = fdt_build(in, 1), n;
	const unsigned char *v;
	uint32_t vlen;
	int count;

	n = kexe_fdt_set_chosen(in, len, "console=ttyAMA0 x=1", 0x48000000, 0x48100000, NULL, out,
				sizeof out);
	CHECK(n > len && rd32(out) == KEXE_FDT_MAGIC && rd32(out + 4) == n);
	v = chosen_prop(out, "bootargs", &vlen, &count);
	CHECK(v && count == 1 && vlen == 20 && !strcmp((const char *)v, "console=ttyAMA0 x=1"));
	v = chosen_prop(out, "linux,initrd-start", &vlen, &count);
	CHECK(v && count == 1 && vlen == 8 && rd32(v) == 0 && rd32(v + 4) == 0x48000000);
	v = chosen_prop(out, "linux,initrd-end", &vlen, &count);
	CHECK(v && count == 1 && vlen == 8 && rd32(v + 4) == 0x48100000);
	v = chosen_prop(out, "kaslr-seed", &vlen, &count); /* other properties stay */
	CHECK(v && count == 1 && v[7] == 8);
	CHECK(chosen_prop(out, "rng-seed", &vlen, &count) == NULL && count == 0);

	/* no initrd: no initrd properties; a tree without /chosen gets one */
	len = fdt_build(in, 0);
	n = kexe_fdt_set_chosen(in, len, "quiet", 0, 0, NULL, out, sizeof out);
	CHECK(n > 0);
	v = chosen_prop(out, "bootargs", &vlen, &count);
	CHECK(v && !strcmp((const char *)v, "quiet"));
	CHECK(chosen_prop(out, "linux,initrd-start", &vlen, &count) == NULL && count == 0);

	/* damaged trees and a buffer too small are refused */
	CHECK(kexe_fdt_set_chosen(in, len, "x", 0, 0, NULL, out, 100) == 0);
	in[0] ^= 1;
	CHECK(kexe_fdt_set_chosen(in, len, "x", 0, 0, NULL, out, sizeof out) == 0);
	len = fdt_build(in, 1);
	CHECK(kexe_fdt_set_chosen(in, len - 60, "x", 0, 0, NULL, out, sizeof out) == 0);
}

/* With new seeds, kaslr-seed and rng-seed are replaced, once each, and the names added to the
 * strings block only when missing. Applied to its own output (rng-seed now among the strings),
 * the result has the same size: nothing is duplicated. */
TEST(device_tree_gets_new_kaslr_and_rng_seeds)
{
	static unsigned char in[4096], out[8192], again[8192];
	unsigned char seeds[KEXE_FDT_SEEDS];
	const unsigned char *v;
	size_t len, n, n2;
	uint32_t vlen;
	int count;

	for (size_t i = 0; i < sizeof seeds; i++)
		seeds[i] = (unsigned char)(0xa0 + i);
	len = fdt_build(in, 1);
	n = kexe_fdt_set_chosen(in, len, "quiet", 0x48000000, 0x48001000, seeds, out, sizeof out);
	CHECK(n > len + KEXE_FDT_SEEDS);
	v = chosen_prop(out, "kaslr-seed", &vlen, &count);
	CHECK(v && count == 1 && vlen == KEXE_FDT_KASLR_SEED && !memcmp(v, seeds, vlen));
	v = chosen_prop(out, "rng-seed", &vlen, &count);
	CHECK(v && count == 1 && vlen == KEXE_FDT_RNG_SEED && !memcmp(v, seeds + 8, vlen));
	v = chosen_prop(out, "bootargs", &vlen, &count);
	CHECK(v && count == 1 && !strcmp((const char *)v, "quiet"));
	v = chosen_prop(out, "linux,initrd-end", &vlen, &count);
	CHECK(v && count == 1 && rd32(v + 4) == 0x48001000);
	/* "kaslr-seed" was in the strings already, "rng-seed" is new: found once, at its end */
	CHECK(memmem(out + rd32(out + 12), rd32(out + 32), "rng-seed", 9) != NULL);
	seeds[0] ^= 0xff;
	n2 = kexe_fdt_set_chosen(out, n, "quiet", 0x48000000, 0x48001000, seeds, again,
				 sizeof again);
	CHECK(n2 == n);
	v = chosen_prop(again, "kaslr-seed", &vlen, &count);
	CHECK(v && count == 1 && v[0] == (0xa0 ^ 0xff));
	CHECK(chosen_prop(again, "rng-seed", &vlen, &count) && count == 1);
	/* a tree without /chosen gets the seeds in the new one */
	len = fdt_build(in, 0);
	n = kexe_fdt_set_chosen(in, len, "quiet", 0, 0, seeds, out, sizeof out);
	CHECK(n > 0);
	CHECK(chosen_prop(out, "kaslr-seed", &vlen, &count) && count == 1 && vlen == 8);
	CHECK(chosen_prop(out, "rng-seed", &vlen, &count) && count == 1 && vlen == 128);
	/* no room for the seeds: refused, not cut short */
	len = fdt_build(in, 1);
	CHECK(kexe_fdt_set_chosen(in, len, "quiet", 0, 0, seeds, out, len + 40) == 0);
}

TEST(iomem_ram_minus_reserved_and_placement)
{
	static const char iomem[] = "09000000-09000fff : pl011@9000000\n"
				    "  09000000-09000fff : 9000000.pl011 pl011@9000000\n"
				    "40000000-57ffffff : System RAM\n"
				    "  40210000-41c1ffff : Kernel code\n"
				    "  44000000-441fffff : reserved\n"
				    "  4c000000-4fffffff : Crash kernel\n"
				    "  57fe0000-57ffffff : reserved\n";
	static struct kexe_arm64_ram ram;
	struct kexe_arm64_layout l;
	struct kexe_err err;

	kexe_arm64_parse_iomem(iomem, &ram);
	CHECK(ram.count == 3);
	CHECK(ram.spans[0].start == 0x40000000 && ram.spans[0].end == 0x44000000);
	CHECK(ram.spans[1].start == 0x44200000 && ram.spans[1].end == 0x4c000000);
	CHECK(ram.spans[2].start == 0x50000000 && ram.spans[2].end == 0x57fe0000);
	/* 33 MiB kernel: fits in the first span at the base of RAM */
	CHECK(kexe_arm64_place(&ram, 0, 33u << 20, 32u << 20, 2u << 20, 70000, 40, &l, &err) == 0);
	CHECK(l.kernel == 0x40000000 && l.kernel_size == 33u << 20);
	CHECK(l.initrd == 0x42100000 && l.dtb == 0x42300000 && l.purgatory == 0x42312000);
	/* text_offset 512 KiB, and too big for the first span: the second one */
	CHECK(kexe_arm64_place(&ram, 0x80000, 100u << 20, 32u << 20, 20u << 20, 70000, 40, &l,
			       &err) == 0);
	CHECK(l.kernel == 0x44280000 && l.purgatory + 4096 <= 0x4c000000);
	CHECK(kexe_arm64_place(&ram, 0, 200u << 20, 32u << 20, 0, 70000, 40, &l, &err) == -1);
	CHECK(err.code == KEXE_EXIT_MEMORY && strstr(err.msg, "largest has 127 MiB"));
}

TEST(purgatory_sets_x0_to_the_tree_and_branches_to_the_kernel)
{
	unsigned char p[KEXE_ARM64_PURGATORY_SIZE];

	kexe_arm64_purgatory(p, 0x4a300000, 0x40000000);
	CHECK(kexe_le32(p) == 0x580000c0);	/* ldr x0, [pc, #24] */
	CHECK(kexe_le32(p + 16) == 0x58000084); /* ldr x4, [pc, #16] */
	CHECK(kexe_le32(p + 20) == 0xd61f0080); /* br x4 */
	CHECK(kexe_le64(p + 24) == 0x4a300000 && kexe_le64(p + 32) == 0x40000000);
}
