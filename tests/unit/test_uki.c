/* The UKI reader (packer/uki.c) on built PE images and hostile ones: every defect is refused
 * with a message, and whatever it accepts lies inside the file (run under ASan by the
 * sanitize suite, which catches any read outside it). */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "test.h"
#include "uki.h"

#define PE_AT 0x80
#define OPTIONAL 240 /* PE32+ optional header size */
#define TABLE_AT (PE_AT + 4 + 20 + OPTIONAL)

struct sect {
	const char *name;
	const char *data; /* NULL: size bytes of 'k' */
	uint32_t size;
};

static unsigned char img[1 << 16];

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* Builds a PE32+ image with the sections in img; returns its size. Data is placed after the
 * table, each section's file size rounded up to 512 like FileAlignment. */
static size_t build(const struct sect *s, unsigned n)
{
	size_t data = 0x400;

	memset(img, 0, sizeof img);
	img[0] = 'M';
	img[1] = 'Z';
	kexe_put32(img + 0x3c, PE_AT);
	memcpy(img + PE_AT, "PE\0\0", 4);
	put16(img + PE_AT + 4, 0x8664);
	put16(img + PE_AT + 6, (uint16_t)n);
	put16(img + PE_AT + 20, OPTIONAL);
	put16(img + PE_AT + 24, 0x20b);
	for (unsigned i = 0; i < n; i++) {
		unsigned char *e = img + TABLE_AT + 40 * i;
		uint32_t raw = (s[i].size + 511) / 512 * 512;
		memcpy(e, s[i].name, strlen(s[i].name) < 8 ? strlen(s[i].name) : 8);
		kexe_put32(e + 8, s[i].size);
		kexe_put32(e + 12, 0x10000 + (uint32_t)data);
		kexe_put32(e + 16, raw);
		kexe_put32(e + 20, (uint32_t)data);
		if (s[i].data)
			memcpy(img + data, s[i].data, s[i].size);
		else
			memset(img + data, 'k', s[i].size);
		data += raw;
	}
	return data;
}

static const struct sect typical[] = {
    {".text", NULL, 1000},
    {".osrel", "ID=debian\n", 10},
    {".cmdline", "console=ttyS0 quiet\n\0", 21},
    {".linux", NULL, 3000},
    {".initrd", NULL, 700},
    {".sbat", "sbat,1\n", 7},
};

static int refused(size_t size, const char *words)
{
	struct uki u;
	struct kexe_err err = {0};

	if (uki_parse(img, size, &u, &err) == 0 || err.code != KEXE_EXIT_USAGE ||
	    !strstr(err.msg, words)) {
		printf("  expected a refusal with \"%s\", got: %s\n", words, err.msg);
		return 0;
	}
	return 1;
}

TEST(uki_finds_kernel_initrd_and_cmdline)
{
	size_t size = build(typical, 6);
	struct uki u;
	struct kexe_err err;
	char *cmdline;

	CHECK(uki_parse(img, size, &u, &err) == 0);
	CHECK(u.machine == 0x8664 && u.sections == 6 && u.profiles == 0);
	CHECK(u.kernel.size == 3000 && img[u.kernel.offset] == 'k');
	CHECK(u.initrd.size == 700 && !u.ucode.present);
	CHECK(uki_cmdline(img, &u, &cmdline, &err) == 0);
	CHECK(!strcmp(cmdline, "console=ttyS0 quiet")); /* trailing newline and NUL dropped */
	free(cmdline);
}

TEST(uki_without_initrd_or_cmdline_is_fine)
{
	const struct sect s[] = {{".linux", NULL, 600}};
	size_t size = build(s, 1);
	struct uki u;
	struct kexe_err err;
	char *cmdline;

	CHECK(uki_parse(img, size, &u, &err) == 0);
	CHECK(!u.initrd.present && !u.cmdline.present);
	CHECK(uki_cmdline(img, &u, &cmdline, &err) == 0 && !strcmp(cmdline, ""));
	free(cmdline);
}

TEST(uki_refuses_what_is_no_pe)
{
	size_t size = build(typical, 6);

	CHECK(refused(10, "no MZ header"));
	img[0] = 'Z';
	CHECK(refused(size, "no MZ header"));
	build(typical, 6);
	kexe_put32(img + 0x3c, 0xfffffff0u);
	CHECK(refused(size, "PE header lies past the end"));
	kexe_put32(img + 0x3c, (uint32_t)size - 10);
	CHECK(refused(size, "PE header lies past the end"));
	build(typical, 6);
	img[PE_AT + 1] = 'X';
	CHECK(refused(size, "no PE signature"));
	build(typical, 6);
	put16(img + PE_AT + 24, 0x107);
	CHECK(refused(size, "optional header"));
	build(typical, 6);
	put16(img + PE_AT + 20, 0);
	CHECK(refused(size, "optional header"));
}

TEST(uki_refuses_tables_and_sections_outside_the_file)
{
	size_t size = build(typical, 6);

	put16(img + PE_AT + 6, 0);
	CHECK(refused(size, "no sections"));
	put16(img + PE_AT + 6, 65535);
	CHECK(refused(size, "impossible number"));
	put16(img + PE_AT + 6, 2000);
	CHECK(refused(size, "section table lies past the end"));
	build(typical, 6);
	put16(img + PE_AT + 20, 0xfff0); /* a huge optional header pushes the table out */
	CHECK(refused(size, "section table lies past the end"));
	build(typical, 6);
	kexe_put32(img + TABLE_AT + 40 * 3 + 20, 0xffffff00u); /* .linux data offset */
	CHECK(refused(size, ".linux lies past the end"));
	build(typical, 6);
	kexe_put32(img + TABLE_AT + 40 * 3 + 8, 0xffffffffu); /* and its sizes, overflowing */
	kexe_put32(img + TABLE_AT + 40 * 3 + 16, 0xffffffffu);
	CHECK(refused(size, ".linux lies past the end"));
	build(typical, 6);
	CHECK(refused(size - 1000, ".initrd lies past the end")); /* cut inside .initrd */
	build(typical, 6);
	kexe_put32(img + TABLE_AT + 40 * 4 + 8, 5000); /* .initrd larger in memory than on disk */
	CHECK(refused(size, ".initrd is 5000 bytes in memory but only 1024"));
}

TEST(uki_refuses_duplicates_and_a_missing_kernel)
{
	const struct sect twice[] = {{".linux", NULL, 100}, {".linux", NULL, 100}};
	const struct sect none[] = {{".initrd", NULL, 100}, {".linuxx", NULL, 100}};
	const struct sect empty[] = {
	    {".cmdline", "", 0}, {".cmdline", "x", 1}, {".linux", NULL, 9}};
	const struct sect nul[] = {{".cmdline", "a\0b", 3}, {".linux", NULL, 9}};
	struct uki u;
	struct kexe_err err;
	char *cmdline;

	CHECK(refused(build(twice, 2), ".linux appears twice"));
	CHECK(refused(build(none, 2), "no .linux section"));
	CHECK(refused(build(empty, 3), ".cmdline appears twice"));
	CHECK(uki_parse(img, build(nul, 2), &u, &err) == 0);
	CHECK(uki_cmdline(img, &u, &cmdline, &err) == -1 && strstr(err.msg, "NUL byte"));
}

TEST(uki_uses_the_first_profile_over_the_base)
{
	const struct sect s[] = {
	    {".linux", NULL, 100},  {".cmdline", "base", 4}, {".profile", "ID=a", 4},
	    {".cmdline", "one", 3}, {".initrd", NULL, 50},   {".profile", "ID=b", 4},
	    {".cmdline", "two", 3}, {".linux", NULL, 7},
	};
	struct uki u;
	struct kexe_err err;
	char *cmdline;

	CHECK(uki_parse(img, build(s, 8), &u, &err) == 0);
	CHECK(u.profiles == 2 && u.kernel.size == 100 && u.initrd.size == 50);
	CHECK(uki_cmdline(img, &u, &cmdline, &err) == 0 && !strcmp(cmdline, "one"));
	free(cmdline);
}

/* Every cut of a valid image, and bytes of its headers and table overwritten: each is refused
 * or gives parts inside the file. */
TEST(uki_survives_cuts_and_flips)
{
	size_t size = build(typical, 6);
	static unsigned char copy[sizeof img];
	struct uki u;
	struct kexe_err err;
	uint32_t seed = 1;

	memcpy(copy, img, size);
	for (size_t cut = 0; cut <= size; cut++) {
		unsigned char *part = malloc(cut ? cut : 1);
		memcpy(part, copy, cut);
		if (uki_parse(part, cut, &u, &err) == 0)
			CHECK(u.kernel.offset + u.kernel.size <= cut &&
			      u.initrd.offset + u.initrd.size <= cut);
		free(part);
	}
	for (int round = 0; round < 20000; round++) {
		size_t at;
		memcpy(img, copy, size);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % (TABLE_AT + 40 * 6);
			seed = seed * 1103515245u + 12345u;
			img[at] = (unsigned char)(seed >> 16);
		}
		if (uki_parse(img, size, &u, &err) == 0) {
			CHECK(u.kernel.offset + u.kernel.size <= size);
			CHECK(u.initrd.offset + u.initrd.size <= size);
			CHECK(u.ucode.offset + u.ucode.size <= size);
			CHECK(u.cmdline.offset + u.cmdline.size <= size);
		}
	}
}

/* An empty section's file offset is meaningless (PE leaves it 0 or anything): accepted, and
 * reported at offset 0, never outside the file (found by the fuzz harness). */
TEST(uki_empty_section_anywhere_is_empty)
{
	const struct sect s[] = {{".cmdline", "", 0}, {".linux", NULL, 9}};
	size_t size = build(s, 2);
	struct uki u;
	struct kexe_err err;
	char *cmdline;

	kexe_put32(img + TABLE_AT + 20, 0xfffffff0u);
	kexe_put32(img + TABLE_AT + 16, 0);
	CHECK(uki_parse(img, size, &u, &err) == 0);
	CHECK(u.cmdline.present && u.cmdline.size == 0 && u.cmdline.offset == 0);
	CHECK(uki_cmdline(img, &u, &cmdline, &err) == 0 && !strcmp(cmdline, ""));
	free(cmdline);
}
