#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "legacy.h"
#include "load.h"
#include "seam.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define FOUR_GIB (1ull << 32)
#define LOWEST (1ull * MIB) /* below this lie the BIOS, EBDA and trampolines */
#define XLF_ABOVE_4G 0x02

/* boot_params offsets (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HEADER 0x1f1
#define BP_TYPE_OF_LOADER 0x210
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
/* setup header fields, same offsets in the bzImage */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_JUMP_END 0x201
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_XLOADFLAGS 0x236
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_MAX 0x290

extern const unsigned char kexe_purgatory_start[], kexe_purgatory_end[];
extern const unsigned char kexe_purgatory_boot_params[], kexe_purgatory_entry[];
extern const unsigned char kexe_purgatory_pml4[], kexe_purgatory_pml5[];

#define PT_PRESENT_RW 0x03ull
#define PT_LARGE 0x80ull
#define PT_PAGES 7 /* PML5, PML4, PDPT, 4 page directories of 2 MiB pages: the low 4 GiB */

struct span {
	uint64_t start, end; /* end exclusive */
};

static uint64_t up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static uint64_t down(uint64_t x, uint64_t a)
{
	return x / a * a;
}

/* The placed span that [start, start+size) overlaps, or NULL. */
static const struct span *overlap(const struct span *used, unsigned n, uint64_t start,
				  uint64_t size)
{
	for (unsigned i = 0; i < n; i++)
		if (start < used[i].end && used[i].start < start + size)
			return &used[i];
	return NULL;
}

/* First fit (or, top_down, last fit) of size bytes aligned to align within [lo, hi) in RAM. */
static int find(const struct kexe_memmap *m, const struct span *used, unsigned n, uint64_t size,
		uint64_t align, uint64_t lo, uint64_t hi, int top_down, uint64_t *out)
{
	for (unsigned k = 0; k < m->count; k++) {
		const struct kexe_mem_range *r = &m->ranges[top_down ? m->count - 1 - k : k];
		uint64_t a = r->start > lo ? r->start : lo;
		uint64_t b = r->end + 1 < hi ? r->end + 1 : hi;
		const struct span *o;
		if (r->type != KEXE_E820_RAM || a >= b || b - a < size)
			continue;
		if (!top_down) {
			for (uint64_t s = up(a, align); s + size <= b; s = up(o->end, align))
				if (!(o = overlap(used, n, s, size)))
					return *out = s, 0;
		} else {
			for (uint64_t s = down(b - size, align); s >= a && s + size <= b;) {
				if (!(o = overlap(used, n, s, size)))
					return *out = s, 0;
				if (o->start < a + size)
					break;
				s = down(o->start - size, align);
			}
		}
	}
	return -1;
}

static int in_ram(const struct kexe_memmap *m, uint64_t start, uint64_t size)
{
	for (unsigned i = 0; i < m->count; i++)
		if (m->ranges[i].type == KEXE_E820_RAM && m->ranges[i].start <= start &&
		    start + size - 1 <= m->ranges[i].end)
			return 1;
	return 0;
}

static int no_room(const char *what, uint64_t size, struct kexe_err *err)
{
	return kexe_fail(err, KEXE_EXIT_MEMORY,
			 "kexec_load: no free RAM range of %llu MiB for the %s in the firmware "
			 "memory map; use --syscall file",
			 (unsigned long long)(size / MIB + 1), what);
}

int kexe_x86_place(const struct kexe_memmap *m, const unsigned char *hdr, uint64_t kernel_file,
		   uint64_t params_size, uint64_t initrd_size, uint64_t purgatory_size,
		   struct kexe_x86_layout *out, struct kexe_err *err)
{
	struct span used[4] = {{0, 0}};
	uint64_t align = kexe_le32(hdr + HDR_KERNEL_ALIGNMENT),
		 pref = kexe_le64(hdr + HDR_PREF_ADDRESS);
	uint64_t initrd_max = (uint64_t)kexe_le32(hdr + HDR_INITRD_ADDR_MAX) + 1;
	unsigned n = 0;

	if (align < PAGE || (align & (align - 1)))
		align = 2 * MIB;
	out->kernel_size =
	    up(kexe_le32(hdr + HDR_INIT_SIZE) > kernel_file ? kexe_le32(hdr + HDR_INIT_SIZE)
							    : kernel_file,
	       PAGE);
	/* below 4 GiB: the purgatory's page tables map only that much */
	if (pref >= LOWEST && pref % align == 0 && pref + out->kernel_size <= FOUR_GIB &&
	    in_ram(m, pref, out->kernel_size))
		out->kernel = pref;
	else if (find(m, used, n, out->kernel_size, align, 16 * MIB, FOUR_GIB, 0, &out->kernel))
		return no_room("kernel", out->kernel_size, err);
	used[n++] = (struct span){out->kernel, out->kernel + out->kernel_size};
	if (find(m, used, n, up(params_size, PAGE), PAGE, LOWEST, FOUR_GIB, 0, &out->params))
		return no_room("boot parameters", params_size, err);
	used[n++] = (struct span){out->params, out->params + up(params_size, PAGE)};
	if (find(m, used, n, up(purgatory_size, PAGE), PAGE, LOWEST, FOUR_GIB, 0, &out->purgatory))
		return no_room("purgatory", purgatory_size, err);
	used[n++] = (struct span){out->purgatory, out->purgatory + up(purgatory_size, PAGE)};
	out->initrd = 0;
	if (initrd_size &&
	    find(m, used, n, up(initrd_size, PAGE), PAGE, LOWEST, initrd_max, 1, &out->initrd) &&
	    (!(kexe_le16(hdr + HDR_XLOADFLAGS) & XLF_ABOVE_4G) ||
	     find(m, used, n, up(initrd_size, PAGE), PAGE, LOWEST, ~0ull, 1, &out->initrd)))
		return no_room("initrd", initrd_size, err);
	return 0;
}

void kexe_x86_boot_params(unsigned char params[4096], const unsigned char *hdr,
			  const struct kexe_memmap *m, const struct kexe_x86_layout *l,
			  uint64_t initrd_size, uint64_t acpi_rsdp)
{
	size_t hdr_end = 0x202 + hdr[HDR_JUMP_END];
	uint64_t cmdline = l->params + PAGE;
	unsigned n = m->count < BP_E820_MAX ? m->count : BP_E820_MAX;

	memset(params, 0, 4096);
	if (hdr_end > HDR_END_MAX)
		hdr_end = HDR_END_MAX;
	memcpy(params + BP_SETUP_HEADER, hdr + BP_SETUP_HEADER, hdr_end - BP_SETUP_HEADER);
	params[BP_TYPE_OF_LOADER] = 0xff; /* undefined loader */
	kexe_put32(params + BP_CMD_LINE_PTR, (uint32_t)cmdline);
	kexe_put32(params + BP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline >> 32));
	kexe_put32(params + BP_RAMDISK_IMAGE, (uint32_t)l->initrd);
	kexe_put32(params + BP_EXT_RAMDISK_IMAGE, (uint32_t)(l->initrd >> 32));
	kexe_put32(params + BP_RAMDISK_SIZE, (uint32_t)initrd_size);
	kexe_put32(params + BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
	kexe_put64(params + BP_ACPI_RSDP, acpi_rsdp);
	params[BP_E820_ENTRIES] = (unsigned char)n;
	for (unsigned i = 0; i < n; i++) {
		unsigned char *e = params + BP_E820_TABLE + 20 * i;
		kexe_put64(e, m->ranges[i].start);
		kexe_put64(e + 8, m->ranges[i].end - m->ranges[i].start + 1);
		kexe_put32(e + 16, m->ranges[i].type);
	}
}

/* The ACPI RSDP of an EFI-booted host, which a kernel started without EFI cannot find. */
static uint64_t acpi_rsdp(void)
{
	char buf[2048], *p;
	int fd = kexe_seam.open_host("/sys/firmware/efi/systab");
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "ACPI20=");
	if (!p)
		p = strstr(buf, "ACPI=");
	return p ? strtoull(strchr(p, '=') + 1, NULL, 0) : 0;
}

size_t kexe_x86_purgatory_size(void)
{
	return (size_t)up((uint64_t)(kexe_purgatory_end - kexe_purgatory_start), PAGE) +
	       PT_PAGES * PAGE;
}

static void put_field(unsigned char *seg, const unsigned char *field, uint64_t value)
{
	kexe_put64(seg + (field - kexe_purgatory_start), value);
}

void kexe_x86_purgatory(unsigned char *seg, uint64_t phys, uint64_t params, uint64_t entry)
{
	size_t code = (size_t)(kexe_purgatory_end - kexe_purgatory_start);
	size_t tables = (size_t)up(code, PAGE);
	unsigned char *pml5 = seg + tables, *pml4 = pml5 + PAGE, *pdpt = pml4 + PAGE,
		      *pd = pdpt + PAGE;
	uint64_t at = phys + tables;

	memset(seg, 0, kexe_x86_purgatory_size());
	memcpy(seg, kexe_purgatory_start, code);
	kexe_put64(pml5, (at + PAGE) | PT_PRESENT_RW);
	kexe_put64(pml4, (at + 2 * PAGE) | PT_PRESENT_RW);
	for (unsigned g = 0; g < 4; g++) {
		kexe_put64(pdpt + 8 * g, (at + (3 + g) * PAGE) | PT_PRESENT_RW);
		for (unsigned i = 0; i < 512; i++)
			kexe_put64(pd + g * PAGE + 8 * i, ((uint64_t)g << 30 | (uint64_t)i << 21) |
							      PT_LARGE | PT_PRESENT_RW);
	}
	put_field(seg, kexe_purgatory_boot_params, params);
	put_field(seg, kexe_purgatory_entry, entry);
	put_field(seg, kexe_purgatory_pml4, at + PAGE);
	put_field(seg, kexe_purgatory_pml5, at);
}

/* The four segments: kernel, boot_params + command line, initrd, purgatory. The kernel's is
 * its file bytes only: the rest of init_size is kept free of other segments by the layout, and
 * the kernel counts every segment byte against half of its RAM. */
static unsigned segments(const struct kexe_payload_view *v, const struct kexe_x86_layout *l,
			 const unsigned char *params, size_t params_size,
			 const unsigned char *purgatory, size_t purgatory_size,
			 struct kexe_kexec_segment *s)
{
	size_t setup =
	    ((size_t)(v->kernel.data[HDR_SETUP_SECTS] ? v->kernel.data[HDR_SETUP_SECTS] : 4) + 1) *
	    512;
	unsigned n = 0;

	s[n++] = (struct kexe_kexec_segment){v->kernel.data + setup, (size_t)v->kernel.size - setup,
					     l->kernel, (size_t)up(v->kernel.size - setup, PAGE)};
	s[n++] = (struct kexe_kexec_segment){params, params_size, l->params,
					     (size_t)up(params_size, PAGE)};
	if (v->initrd.size)
		s[n++] = (struct kexe_kexec_segment){v->initrd.data, (size_t)v->initrd.size,
						     l->initrd, (size_t)up(v->initrd.size, PAGE)};
	s[n++] = (struct kexe_kexec_segment){purgatory, purgatory_size, l->purgatory,
					     (size_t)up(purgatory_size, PAGE)};
	return n;
}

static int load_view(const struct kexe_payload *p, const struct kexe_host *h,
		     const struct kexe_payload_view *v, struct kexe_err *err)
{
	static struct kexe_memmap m;
	static unsigned char params[4096 + KEXE_MAX_CMDLINE_SIZE + 1];
	static unsigned char purgatory[8192 + PT_PAGES * PAGE];
	size_t purgatory_size = kexe_x86_purgatory_size();
	size_t cmdline_len = strlen(p->cmdline) + 1, params_size = 4096 + cmdline_len;
	struct kexe_kexec_segment s[4];
	struct kexe_x86_layout l;
	uint64_t entry;
	unsigned n;

	if (purgatory_size > sizeof purgatory || cmdline_len > KEXE_MAX_CMDLINE_SIZE)
		return kexe_fail(err, KEXE_EXIT_INTERNAL, "purgatory or command line too large");
	if (kexe_memmap_read(&m, err) ||
	    kexe_x86_place(&m, v->kernel.data, v->kernel.size, params_size, v->initrd.size,
			   purgatory_size, &l, err))
		return -1;
	kexe_x86_boot_params(params, v->kernel.data, &m, &l, v->initrd.size, acpi_rsdp());
	memcpy(params + 4096, p->cmdline, cmdline_len);
	entry = l.kernel + 0x200; /* startup_64 */
	kexe_x86_purgatory(purgatory, l.purgatory, l.params, entry);
	n = segments(v, &l, params, params_size, purgatory, purgatory_size, s);
	if (kexe_seam.kexec_load(l.purgatory, n, s, KEXE_KEXEC_ARCH_X86_64) == 0)
		return 0;
	return kexe_load_error("kexec_load", errno, p, h, err);
}

int kexe_load_legacy(const struct kexe_payload *p, const struct kexe_host *h, struct kexe_err *err)
{
	struct kexe_payload_view v;
	int rc = kexe_payload_view(p, &v, err);

	if (rc == 0)
		rc = load_view(p, h, &v, err);
	kexe_payload_unview(p, &v);
	return rc;
}
