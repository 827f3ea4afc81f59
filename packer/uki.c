#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "uki.h"

#define DOS_LFANEW 0x3c	     /* offset of the PE header's offset in the MZ header */
#define COFF_SIZE 20	     /* COFF file header, after "PE\0\0" */
#define SECTION_SIZE 40	     /* one section table entry */
#define PE32_MAGIC 0x10b     /* optional header magic: PE32 */
#define PE32PLUS_MAGIC 0x20b /* PE32+ */

static int bad(struct kexe_err *err, const char *what)
{
	return kexe_fail(err, KEXE_EXIT_USAGE,
			 "not a usable Unified Kernel Image: %s; give a UKI made by ukify or "
			 "objcopy from systemd-stub, or --kernel and --initrd",
			 what);
}

/* The parts we want, by section name (8 bytes, NUL-padded). */
static struct uki_part *wanted(struct uki *u, const unsigned char name[8])
{
	static const struct {
		const char *name;
		size_t field;
	} parts[] = {
	    {".linux", offsetof(struct uki, kernel)}, {".initrd", offsetof(struct uki, initrd)},
	    {".ucode", offsetof(struct uki, ucode)},  {".cmdline", offsetof(struct uki, cmdline)},
	    {".uname", offsetof(struct uki, uname)},
	};

	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		size_t n = strlen(parts[i].name);
		if (!memcmp(name, parts[i].name, n) && (n == 8 || name[n] == 0))
			return (struct uki_part *)((char *)u + parts[i].field);
	}
	return NULL;
}

/* Reads section table entry e into *p after checking it lies inside the file. */
static int locate(const unsigned char *e, uint64_t file_size, struct uki_part *p,
		  struct kexe_err *err)
{
	uint64_t virtual_size = kexe_le32(e + 8), raw_size = kexe_le32(e + 16);
	uint64_t raw_offset = kexe_le32(e + 20);
	char name[9] = {0};

	memcpy(name, e, 8);
	if (virtual_size > raw_size) {
		char why[128];
		snprintf(why, sizeof why,
			 "section %s is %llu bytes in memory but only %llu in the file", name,
			 (unsigned long long)virtual_size, (unsigned long long)raw_size);
		return bad(err, why);
	}
	/* the size in memory is exact; the size in the file is rounded up to FileAlignment */
	p->size = virtual_size ? virtual_size : raw_size;
	p->offset = p->size ? raw_offset : 0; /* an empty section's offset means nothing */
	p->present = 1;
	if (p->size && (raw_offset > file_size || p->size > file_size - raw_offset)) {
		char why[128];
		snprintf(why, sizeof why, "section %s lies past the end of the file (truncated?)",
			 name);
		return bad(err, why);
	}
	return 0;
}

static void take(struct uki_part *dst, const struct uki_part *src)
{
	if (src->present)
		*dst = *src;
}

/* The wanted sections before the first .profile (profile 0, the base) or inside the first
 * profile (profile 1), put into u over what is there. */
static int collect(const unsigned char *table, unsigned count, uint64_t file_size, unsigned profile,
		   struct uki *u, struct kexe_err *err)
{
	struct uki found = {0};
	unsigned seen = 0; /* .profile sections passed */

	for (unsigned i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * SECTION_SIZE;
		struct uki_part *p;

		if (!memcmp(e, ".profile", 8)) {
			seen++;
			continue;
		}
		if (seen != profile || !(p = wanted(&found, e)))
			continue;
		if (p->present) {
			char why[64];
			snprintf(why, sizeof why, "section %.8s appears twice", (const char *)e);
			return bad(err, why);
		}
		if (locate(e, file_size, p, err))
			return -1;
	}
	take(&u->kernel, &found.kernel);
	take(&u->initrd, &found.initrd);
	take(&u->ucode, &found.ucode);
	take(&u->cmdline, &found.cmdline);
	take(&u->uname, &found.uname);
	return 0;
}

int uki_parse(const unsigned char *image, uint64_t size, struct uki *u, struct kexe_err *err)
{
	uint64_t pe, table;
	unsigned count, optional;

	memset(u, 0, sizeof *u);
	if (size < DOS_LFANEW + 4 || image[0] != 'M' || image[1] != 'Z')
		return bad(err, "no MZ header (it is no EFI program)");
	pe = kexe_le32(image + DOS_LFANEW);
	if (pe > size || size - pe < 4 + COFF_SIZE + 2)
		return bad(err, "the PE header lies past the end of the file");
	if (memcmp(image + pe, "PE\0\0", 4))
		return bad(err, "no PE signature (it is a DOS program, not an EFI one)");
	u->machine = kexe_le16(image + pe + 4);
	count = kexe_le16(image + pe + 6);
	optional = kexe_le16(image + pe + 20);
	if (optional < 2 || (kexe_le16(image + pe + 24) != PE32_MAGIC &&
			     kexe_le16(image + pe + 24) != PE32PLUS_MAGIC))
		return bad(err, "no PE32 or PE32+ optional header");
	table = pe + 4 + COFF_SIZE + optional;
	if (count == 0 || count > KEXE_UKI_MAX_SECTIONS)
		return bad(err, "no sections, or an impossible number of them");
	if (table > size || (size - table) / SECTION_SIZE < count)
		return bad(err, "the section table lies past the end of the file");
	u->sections = count;
	for (unsigned i = 0; i < count; i++)
		if (!memcmp(image + table + (size_t)i * SECTION_SIZE, ".profile", 8))
			u->profiles++;
	if (collect(image + table, count, size, 0, u, err))
		return -1;
	if (u->profiles && collect(image + table, count, size, 1, u, err))
		return -1;
	if (!u->kernel.size)
		return bad(err, "it has no .linux section (a kernel)");
	return 0;
}

int uki_cmdline(const unsigned char *image, const struct uki *u, char **out, struct kexe_err *err)
{
	const char *text = (const char *)image + u->cmdline.offset;
	size_t len = (size_t)u->cmdline.size;

	*out = NULL;
	if (u->cmdline.size > KEXE_UKI_MAX_CMDLINE)
		return bad(err, "its .cmdline is longer than 64 KiB");
	while (len && (text[len - 1] == 0 || text[len - 1] == ' ' || text[len - 1] == '\n' ||
		       text[len - 1] == '\r' || text[len - 1] == '\t'))
		len--;
	if (memchr(text, 0, len))
		return bad(err, "its .cmdline has a NUL byte inside");
	*out = malloc(len + 1);
	if (!*out)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	memcpy(*out, text, len);
	(*out)[len] = 0;
	return 0;
}

int uki_open_parts(const char *path, struct input_file *image, struct input_file *files,
		   unsigned *n, char **cmdline, struct kexe_err *err)
{
	static char labels[3][4200];
	const struct uki_part *parts[3];
	static const char *const names[3] = {".linux", ".ucode", ".initrd"};
	struct uki u;
	char why[sizeof err->msg];

	*n = 0;
	if (input_open(image, path, err))
		return -1;
	if (uki_parse(image->data, image->size, &u, err) ||
	    uki_cmdline(image->data, &u, cmdline, err)) {
		snprintf(why, sizeof why, "%s", err->msg);
		return kexe_fail(err, KEXE_EXIT_USAGE, "%s: %.450s", path, why);
	}
	parts[0] = &u.kernel;
	parts[1] = &u.ucode;
	parts[2] = &u.initrd;
	for (int i = 0; i < 3; i++) {
		if (!parts[i]->present || (i && !parts[i]->size))
			continue;
		snprintf(labels[i], sizeof labels[i], "%s (%s)", path, names[i]);
		input_view(&files[(*n)++], image, labels[i], parts[i]->offset, parts[i]->size);
	}
	return 0;
}
