#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "embedded.h"
#include "fixtures.h"
#include "options.h"
#include "run.h"
#include "writer.h"
#include "xxh64.h"

int fixture_pack(struct fixture *f)
{
	unsigned char stub[5000];
	struct kexe_pack_input in[8];
	struct kexe_pack_options opt = {.arch = KEXE_ARCH_X86_64, .lz4_level = 1};
	struct kexe_err err;
	struct stat st;
	unsigned n = 0;

	fixture_bytes(stub, sizeof stub, 0, 3);
	in[n++] = (struct kexe_pack_input){KEXE_SECTION_KERNEL, f->kernel, sizeof f->kernel};
	for (unsigned i = 0; i < f->n_initrds; i++)
		in[n++] =
		    (struct kexe_pack_input){KEXE_SECTION_INITRD, f->initrd[i], f->initrd_size[i]};
	in[n++] = (struct kexe_pack_input){KEXE_SECTION_CMDLINE, (const unsigned char *)f->cmdline,
					   strlen(f->cmdline)};
	in[n++] = (struct kexe_pack_input){KEXE_SECTION_METADATA,
					   (const unsigned char *)"kexe-version=test\n", 18};
	f->fd = memfd_create("fixture", MFD_CLOEXEC);
	if (f->fd < 0 || kexe_bundle_write(f->fd, stub, sizeof stub, in, n, &opt, &err)) {
		fprintf(stderr, "fixture_pack: %s\n", err.msg);
		return -1;
	}
	fstat(f->fd, &st);
	f->size = (uint64_t)st.st_size;
	return 0;
}

int fixture_default(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	fixture_bzimage(f->kernel, sizeof f->kernel, 2047);
	f->n_initrds = 2;
	f->initrd_size[0] = 20000;
	f->initrd_size[1] = 12345;
	fixture_bytes(f->initrd[0], f->initrd_size[0], 1, 1);
	fixture_bytes(f->initrd[1], f->initrd_size[1], 0, 2);
	f->cmdline = "console=ttyS0 root=/dev/ram0";
	return fixture_pack(f);
}

int fixture_run(int fd, const char *const *args)
{
	const char *argv[64] = {"bundle"};
	struct stub_options o;
	struct kexe_err err;
	int argc = 1;

	while (args && args[argc - 1])
		argv[argc] = args[argc - 1], argc++;
	if (stub_parse_options(argc, (char **)argv, &o, &err))
		return err.code;
	return stub_run(fd, &o);
}

int fixture_run_stderr(int fd, const char *const *args, char *msg, size_t size)
{
	char path[] = "/tmp/kexe-unit-stderr.XXXXXX";
	int out = mkstemp(path), saved = dup(2), rc;
	ssize_t n;

	fflush(stderr);
	dup2(out, 2);
	rc = fixture_run(fd, args);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(out, msg, size - 1, 0);
	msg[n > 0 ? n : 0] = 0;
	close(out);
	unlink(path);
	return rc;
}

static void rewrite_checksums(int fd, uint64_t size, const struct kexe_trailer *t)
{
	unsigned char table[KEXE_MAX_SECTIONS * KEXE_ENTRY_SIZE], trailer[KEXE_TRAILER_SIZE];
	struct kexe_trailer copy = *t;
	size_t len = (size_t)t->section_count * KEXE_ENTRY_SIZE;

	if (len <= sizeof table && pread(fd, table, len, (off_t)t->table_offset) == (ssize_t)len)
		copy.table_checksum = kexe_xxh64(table, len);
	kexe_trailer_encode(&copy, trailer);
	if (pwrite(fd, trailer, sizeof trailer, (off_t)(size - KEXE_TRAILER_SIZE)) < 0)
		abort();
}

void fixture_rewrite(int fd, const struct kexe_bundle *b, unsigned i, const struct kexe_section *s)
{
	unsigned char entry[KEXE_ENTRY_SIZE];

	kexe_section_encode(s, entry);
	if (pwrite(fd, entry, sizeof entry,
		   (off_t)(b->trailer.table_offset + (uint64_t)i * KEXE_ENTRY_SIZE)) < 0)
		abort();
	rewrite_checksums(fd, b->file_size, &b->trailer);
}

void fixture_rewrite_trailer(int fd, uint64_t size, const struct kexe_trailer *t)
{
	rewrite_checksums(fd, size, t);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (char *p = strchr(path + strlen(dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	if (!text) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

const char *fixture_host(unsigned long long meminfo_kib, const char *lockdown, int disabled)
{
	static char dir[64];
	char meminfo[256];

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/kexe-unit-host.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(meminfo, sizeof meminfo,
		 "MemTotal:       8000000 kB\nMemFree:        100000 kB\nMemAvailable:   %llu kB\n",
		 meminfo_kib ? meminfo_kib : 4000000ull);
	put_file(dir, "proc/meminfo", meminfo);
	put_file(dir, "proc/sys/kernel/kexec_load_disabled", disabled ? "1\n" : "0\n");
	put_file(dir, "sys/kernel/security/lockdown", lockdown);
	put_file(dir, "proc/1/cgroup", "0::/init.scope\n");
	put_file(dir, ".dockerenv", NULL);
	put_file(dir, "proc/1/comm", "init\n");
	/* a 2 GiB PC: low RAM, the BIOS area, RAM up to just below 2 GiB */
	put_file(dir, "sys/firmware/memmap/0/start", "0x0\n");
	put_file(dir, "sys/firmware/memmap/0/end", "0x9fbff\n");
	put_file(dir, "sys/firmware/memmap/0/type", "System RAM\n");
	put_file(dir, "sys/firmware/memmap/1/start", "0xf0000\n");
	put_file(dir, "sys/firmware/memmap/1/end", "0xfffff\n");
	put_file(dir, "sys/firmware/memmap/1/type", "Reserved\n");
	put_file(dir, "sys/firmware/memmap/2/start", "0x100000\n");
	put_file(dir, "sys/firmware/memmap/2/end", "0x7ffdffff\n");
	put_file(dir, "sys/firmware/memmap/2/type", "System RAM\n");
	put_file(dir, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme pse\n\n");
	put_file(dir, "proc/mounts", "rootfs / rootfs rw 0 0\n");
	put_file(dir, "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
		 NULL);
	setenv("KEXE_FAKE_ROOT", dir, 1);
	setenv("KEXE_FAKE_EUID", "0", 1);
	unsetenv("KEXE_FAKE_LOAD_ERRNO");
	unsetenv("KEXE_FAKE_REBOOT_ERRNO");
	unsetenv("KEXE_FAKE_REMOUNT_ERRNO");
	unsetenv("KEXE_FAKE_FREEZE_ERRNO");
	unsetenv("KEXE_FAKE_LOG");
	unsetenv("KEXE_FAKE_DUMP");
	unsetenv("KEXE_FAKE_SYSTEMCTL");
	return dir;
}

/* The packer's embedded loader, for unit tests that run kexe_pack(): a fake one. */
const unsigned char *kexe_embedded_stub(uint32_t arch, size_t *size)
{
	static const unsigned char stub[] = "not a real loader";

	(void)arch;
	*size = sizeof stub;
	return stub;
}
