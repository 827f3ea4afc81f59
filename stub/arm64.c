/* arm64 specifics of the loader (see arch.h). Compiled on every architecture so the host's
 * unit tests exercise it; only the aarch64 loader calls it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"

#define MIB (1024 * 1024)

int kexe_arm64_load_error(const char *call, int e, const struct kexe_payload *p,
			  const struct kexe_host *h, struct kexe_err *err)
{
	char text[64];
	uint64_t need = kexe_memory_need(p->kernel_size, p->kernel.memory_size, p->initrd_size);

	if (e != EINVAL)
		return 0;
	snprintf(text, sizeof text, "%s", strerror(e));
	text[0] = (char)tolower((unsigned char)text[0]);
	return kexe_fail(
	    err, KEXE_EXIT_KERNEL,
	    "%s: %s: the running kernel refused the %s: either it cannot load this Image (arm64 "
	    "answers EINVAL for an Image of the other endianness, a page size this CPU lacks, or "
	    "a damaged header) or memory is short (loading needs about %llu MiB, %llu MiB of %llu "
	    "MiB are available); check dmesg, then pack a little-endian Image this CPU can run or "
	    "free memory",
	    call, text, p->kernel.description, (unsigned long long)(need / MIB),
	    (unsigned long long)(h->mem_available / MIB), (unsigned long long)(h->mem_total / MIB));
}

#define PAGE 4096ull
#define BLOCK (2ull << 20) /* the kernel's base is 2 MiB aligned */

static uint64_t up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/* Removes [start, end) from the spans of ram. */
static void carve(struct kexe_arm64_ram *ram, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < ram->count; i++) {
		uint64_t s = ram->spans[i].start, e = ram->spans[i].end;
		if (end <= s || start >= e)
			continue;
		if (start > s && end < e && ram->count < KEXE_ARM64_MAX_RAM) { /* split */
			memmove(&ram->spans[i + 2], &ram->spans[i + 1],
				(ram->count - i - 1) * sizeof ram->spans[0]);
			ram->spans[i + 1].start = end;
			ram->spans[i + 1].end = e;
			ram->spans[i].end = start;
			ram->count++;
			i++;
		} else if (start > s) {
			ram->spans[i].end = start;
		} else if (end < e) {
			ram->spans[i].start = end;
		} else { /* covered: drop it */
			memmove(&ram->spans[i], &ram->spans[i + 1],
				(ram->count - i - 1) * sizeof ram->spans[0]);
			ram->count--;
			i--;
		}
	}
}

void kexe_arm64_parse_iomem(const char *text, struct kexe_arm64_ram *ram)
{
	uint64_t reserved[KEXE_ARM64_MAX_RAM][2];
	unsigned n_reserved = 0;

	ram->count = 0;
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		unsigned long long start, end;
		int indent = (int)strspn(line, " "), name = 0;
		const char *what;

		if (sscanf(line + indent, "%llx-%llx : %n", &start, &end, &name) != 2 || !name ||
		    end < start)
			continue;
		what = line + indent + name;
		if (indent == 0 && !strncmp(what, "System RAM", 10) &&
		    (what[10] == '\n' || what[10] == 0) && ram->count < KEXE_ARM64_MAX_RAM) {
			ram->spans[ram->count].start = start;
			ram->spans[ram->count++].end = end + 1;
		} else if (indent > 0 && n_reserved < KEXE_ARM64_MAX_RAM &&
			   (!strncmp(what, "reserved", 8) || !strncmp(what, "Crash kernel", 12))) {
			reserved[n_reserved][0] = start;
			reserved[n_reserved++][1] = end + 1;
		}
	}
	for (unsigned i = 1; i < ram->count; i++) /* sort by start */
		for (unsigned j = i; j > 0 && ram->spans[j - 1].start > ram->spans[j].start; j--) {
			uint64_t s = ram->spans[j].start, e = ram->spans[j].end;
			ram->spans[j] = ram->spans[j - 1];
			ram->spans[j - 1].start = s;
			ram->spans[j - 1].end = e;
		}
	for (unsigned i = 0; i < n_reserved; i++)
		carve(ram, reserved[i][0], reserved[i][1]);
}

int kexe_arm64_place(const struct kexe_arm64_ram *ram, uint64_t text_offset, uint64_t image_size,
		     uint64_t kernel_file, uint64_t initrd_size, uint64_t dtb_size,
		     uint64_t purgatory_size, struct kexe_arm64_layout *l, struct kexe_err *err)
{
	uint64_t total = 0;

	l->kernel_size = up(image_size > kernel_file ? image_size : kernel_file, PAGE);
	for (unsigned i = 0; i < ram->count; i++) {
		uint64_t base = up(ram->spans[i].start, BLOCK), end = ram->spans[i].end;
		if (base + text_offset < ram->spans[i].start)
			base += BLOCK;
		l->kernel = base + text_offset;
		l->initrd = up(l->kernel + l->kernel_size, PAGE);
		l->dtb = up(l->initrd + initrd_size, PAGE);
		l->purgatory = up(l->dtb + dtb_size, PAGE);
		if (l->kernel >= ram->spans[i].start &&
		    l->purgatory + up(purgatory_size, PAGE) <= end && l->purgatory > l->kernel)
			return 0;
	}
	for (unsigned i = 0; i < ram->count; i++)
		if (ram->spans[i].end - ram->spans[i].start > total)
			total = ram->spans[i].end - ram->spans[i].start;
	return kexe_fail(err, KEXE_EXIT_MEMORY,
			 "no free RAM range holds the kernel (%llu MiB with its bss), the initrd "
			 "(%llu MiB) and the device tree together; the largest has %llu MiB",
			 (unsigned long long)(l->kernel_size >> 20),
			 (unsigned long long)(initrd_size >> 20),
			 (unsigned long long)(total >> 20));
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void kexe_arm64_purgatory(unsigned char out[KEXE_ARM64_PURGATORY_SIZE], uint64_t dtb,
			  uint64_t entry)
{
	static const uint32_t code[6] = {
	    0x580000c0, /* ldr x0, #24 (dtb) */
	    0xaa1f03e1, /* mov x1, xzr */
	    0xaa1f03e2, /* mov x2, xzr */
	    0xaa1f03e3, /* mov x3, xzr */
	    0x58000084, /* ldr x4, #16 (entry, at 32) */
	    0xd61f0080, /* br x4 */
	};

	for (int i = 0; i < 6; i++)
		put32(out + 4 * i, code[i]);
	put32(out + 24, (uint32_t)dtb);
	put32(out + 28, (uint32_t)(dtb >> 32));
	put32(out + 32, (uint32_t)entry);
	put32(out + 36, (uint32_t)(entry >> 32));
}
