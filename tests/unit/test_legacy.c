#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "fixtures.h"
#include "legacy.h"
#include "test.h"

#define MIB (1024ull * 1024)

static unsigned char hdr[65536];

TEST(memmap_is_read_from_sysfs_and_sorted)
{
	struct kexe_memmap m;

	fixture_host(0, NULL, 0);
	CHECK(kexe_memmap_read(&m, NULL) == 0);
	CHECK(m.count == 3);
	CHECK(m.ranges[0].start == 0 && m.ranges[0].end == 0x9fbff && m.ranges[0].type == 1);
	CHECK(m.ranges[1].type == 2);
	CHECK(m.ranges[2].start == 0x100000 && m.ranges[2].end == 0x7ffdffff);
}

TEST(segments_are_placed_in_ram_without_overlap)
{
	struct kexe_memmap m;
	struct kexe_x86_layout l;

	fixture_host(0, NULL, 0);
	CHECK(kexe_memmap_read(&m, NULL) == 0);
	fixture_bzimage(hdr, sizeof hdr, 2047);
	kexe_put32(hdr + 0x22c, 0x7fffffff); /* initrd_addr_max */
	kexe_put32(hdr + 0x230, 0x200000);   /* kernel_alignment */
	kexe_put64(hdr + 0x258, 0x1000000);  /* pref_address */
	kexe_put32(hdr + 0x260, 40 * MIB);   /* init_size */
	CHECK(kexe_x86_place(&m, hdr, sizeof hdr, 4096 + 100, 300 * MIB, 5000, &l, NULL) == 0);
	CHECK(l.kernel == 0x1000000);
	CHECK(l.kernel_size == 40 * MIB);
	CHECK(l.params >= MIB && l.params % 4096 == 0);
	CHECK(l.params + 8192 <= l.kernel || l.params >= l.kernel + l.kernel_size);
	CHECK(l.purgatory >= MIB && l.purgatory != l.params);
	/* the initrd goes high, page aligned, inside RAM */
	CHECK(l.initrd % 4096 == 0);
	CHECK(l.initrd + 300 * MIB <= 0x7ffe0000);
	CHECK(l.initrd >= 0x7ffe0000 - 301 * MIB);
	/* no room for a 3 GiB initrd in 2 GiB */
	struct kexe_err err;
	CHECK(kexe_x86_place(&m, hdr, sizeof hdr, 4196, 3072 * MIB, 5000, &l, &err) == -1);
	CHECK(err.code == KEXE_EXIT_MEMORY && strstr(err.msg, "initrd") != NULL);
}

TEST(boot_params_carry_setup_header_cmdline_initrd_and_e820)
{
	static unsigned char params[4096];
	struct kexe_memmap m;
	struct kexe_x86_layout l = {.kernel = 0x1000000, .params = 0x200000, .initrd = 0x70000000};

	fixture_host(0, NULL, 0);
	CHECK(kexe_memmap_read(&m, NULL) == 0);
	fixture_bzimage(hdr, sizeof hdr, 2047);
	hdr[0x201] = 0x6a; /* setup header ends at 0x26c */
	kexe_x86_boot_params(params, hdr, &m, &l, 12345, 0xf5a10);
	CHECK(memcmp(params + 0x202, "HdrS", 4) == 0);
	CHECK(params[0x210] == 0xff);
	CHECK(kexe_le32(params + 0x228) == 0x201000);
	CHECK(kexe_le32(params + 0x218) == 0x70000000 && kexe_le32(params + 0x21c) == 12345);
	CHECK(kexe_le64(params + 0x070) == 0xf5a10);
	CHECK(params[0x1e8] == 3);
	CHECK(kexe_le64(params + 0x2d0 + 40) == 0x100000);
	CHECK(kexe_le64(params + 0x2d0 + 48) == 0x7ffdffff - 0x100000 + 1);
	CHECK(kexe_le32(params + 0x2d0 + 56) == 1);
	CHECK(params[0x1ef] == 0); /* sentinel clear: we built this page from zero */
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf = malloc(1 << 20);

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	*len = f ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

TEST(legacy_run_hands_four_segments_to_kexec_load)
{
	static struct fixture fx;
	const char *args[] = {"--syscall", "legacy", NULL};
	char dir[] = "/tmp/kexe-unit-legacy.XXXXXX", log[64], want[64];
	char *seg;
	size_t len;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	CHECK(mkdtemp(dir) != NULL);
	setenv("KEXE_FAKE_DUMP", dir, 1);
	snprintf(log, sizeof log, "%s/log", dir);
	setenv("KEXE_FAKE_LOG", log, 1);
	kexe_fake_loads = 0;
	CHECK(fixture_run(fx.fd, args) == 0);
	CHECK(kexe_fake_loads == 1);
	seg = slurp(dir, "segment-0", &len); /* the kernel after its 5 setup sectors */
	CHECK(len == sizeof fx.kernel - 5 * 512 && memcmp(seg, fx.kernel + 5 * 512, len) == 0);
	free(seg);
	seg = slurp(dir, "segment-1", &len); /* boot_params, then the command line */
	CHECK(len == 4096 + strlen(fx.cmdline) + 1);
	CHECK(strcmp(seg + 4096, fx.cmdline) == 0);
	CHECK((unsigned char)seg[0x210] == 0xff && seg[0x1e8] == 3);
	CHECK(kexe_le32((unsigned char *)seg + 0x21c) == 32345);
	free(seg);
	seg = slurp(dir, "segment-2", &len); /* both initrds, the second 4-byte aligned */
	CHECK(len == 32345 && memcmp(seg, fx.initrd[0], 20000) == 0);
	free(seg);
	seg = slurp(dir, "segment-3", &len); /* purgatory: starts with cli; cld */
	CHECK(len > 64 && (unsigned char)seg[0] == 0xfa && (unsigned char)seg[1] == 0xfc);
	free(seg);
	/* the kernel's segment is its file bytes, not init_size: the kernel counts memsz
	 * against half of its RAM */
	unsetenv("KEXE_FAKE_LOG");
	seg = slurp(dir, "log", &len);
	seg[len < (1 << 20) ? len : len - 1] = 0;
	snprintf(want, sizeof want, "memsz=%#zx bufsz=%#zx",
		 (sizeof fx.kernel - 5 * 512 + 4095) / 4096 * 4096, sizeof fx.kernel - 5 * 512);
	CHECK(strstr(seg, "segment 0 ") && strstr(strstr(seg, "segment 0 "), want) != NULL);
	free(seg);
	close(fx.fd);
}

extern const unsigned char kexe_purgatory_start[], kexe_purgatory_pml4[], kexe_purgatory_pml5[];

/* Follows the purgatory's page tables (seg placed at phys) from root down to va's 2 MiB page. */
static uint64_t translate(const unsigned char *seg, uint64_t phys, uint64_t root, int levels,
			  uint64_t va)
{
	uint64_t table = root;

	for (int level = levels; level >= 2; level--) {
		uint64_t e =
		    kexe_le64(seg + (table - phys) + 8 * ((va >> (12 + 9 * (level - 1))) & 511));
		if (!(e & 1))
			return ~0ull;
		if (level == 2)
			return (e & 0x80)
				   ? (e & ~0x1fffffull & ((1ull << 52) - 1)) | (va & 0x1fffff)
				   : ~0ull;
		table = e & ~0xfffull & ((1ull << 52) - 1);
		if (table < phys || table - phys >= kexe_x86_purgatory_size())
			return ~0ull;
	}
	return ~0ull;
}

TEST(purgatory_brings_identity_page_tables_for_the_low_4gib)
{
	static unsigned char seg[65536];
	const uint64_t phys = 0x3000000, va[] = {0, 0x1000000, 0x1234567, 0x7ffe0000, 0xffffffff};
	uint64_t pml4, pml5;

	CHECK(kexe_x86_purgatory_size() <= sizeof seg && kexe_x86_purgatory_size() % 4096 == 0);
	kexe_x86_purgatory(seg, phys, 0x200000, 0x1000200);
	pml4 = kexe_le64(seg + (kexe_purgatory_pml4 - kexe_purgatory_start));
	pml5 = kexe_le64(seg + (kexe_purgatory_pml5 - kexe_purgatory_start));
	CHECK(pml4 % 4096 == 0 && pml4 > phys && pml4 - phys < kexe_x86_purgatory_size());
	CHECK(pml5 % 4096 == 0 && pml5 > phys && pml5 - phys < kexe_x86_purgatory_size());
	for (unsigned i = 0; i < sizeof va / sizeof *va; i++) {
		CHECK(translate(seg, phys, pml4, 4, va[i]) == va[i]);
		CHECK(translate(seg, phys, pml5, 5, va[i]) == va[i]);
	}
	CHECK(translate(seg, phys, pml4, 4, 1ull << 32) == ~0ull); /* only the low 4 GiB */
	CHECK(seg[0] == 0xfa);					   /* the code is still first */
}

TEST(legacy_reads_a_single_raw_initrd_where_it_lies_in_the_bundle)
{
	static struct fixture fx;
	const char *args[] = {"--syscall", "legacy", NULL},
		   *check[] = {"--check", "--syscall", "legacy", NULL};
	char dir[] = "/tmp/kexe-unit-mapped.XXXXXX", msg[4096];
	char *seg;
	size_t len;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	close(fx.fd);
	memcpy(fx.initrd[0], fx.initrd[1], fx.initrd_size[1]); /* the random one: stored raw */
	fx.initrd_size[0] = fx.initrd_size[1];
	fx.n_initrds = 1;
	CHECK(fixture_pack(&fx) == 0);
	CHECK(mkdtemp(dir) != NULL);
	setenv("KEXE_FAKE_DUMP", dir, 1);
	CHECK(fixture_run(fx.fd, args) == 0);
	seg = slurp(dir, "segment-2", &len);
	CHECK(len == fx.initrd_size[0] && memcmp(seg, fx.initrd[0], len) == 0);
	free(seg);
	unsetenv("KEXE_FAKE_DUMP");
	fflush(stdout);
	int saved = dup(1), out = open(dir, O_TMPFILE | O_RDWR, 0600);
	dup2(out, 1);
	CHECK(fixture_run(fx.fd, check) == 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	len = (size_t)pread(out, msg, sizeof msg - 1, 0);
	msg[len] = 0;
	close(out);
	CHECK(strstr(msg, "kexec_load, the initrd read where it lies in the bundle") != NULL);
	/* a flipped byte in the mapped initrd is still refused */
	unsigned char b;
	struct kexe_bundle bundle;
	CHECK(kexe_bundle_open(fx.fd, &bundle, 1, NULL) == 0);
	CHECK(pread(fx.fd, &b, 1, (off_t)bundle.initrds[0]->offset + 100) == 1);
	b ^= 1;
	CHECK(pwrite(fx.fd, &b, 1, (off_t)bundle.initrds[0]->offset + 100) == 1);
	kexe_fake_loads = 0;
	CHECK(fixture_run_stderr(fx.fd, args, msg, sizeof msg) == KEXE_EXIT_BUNDLE);
	CHECK(strstr(msg, "initrd section checksum mismatch") != NULL);
	CHECK(kexe_fake_loads == 0);
	close(fx.fd);
}
