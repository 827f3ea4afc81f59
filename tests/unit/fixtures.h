/* Bundles made in memory for tests: a synthetic kernel, initrds and a fake stub. */
#ifndef KEXE_FIXTURES_H
#define KEXE_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "images.h"

struct fixture {
	int fd; /* memfd holding the bundle */
	uint64_t size;
	unsigned char kernel[65536];
	unsigned char initrd[3][20000];
	size_t initrd_size[3];
	unsigned n_initrds;
	const char *cmdline;
};

/* Packs f->kernel, f->n_initrds initrds and f->cmdline with a 5000-byte fake stub into a new
 * memfd. The fixture_default() contents: bzImage kernel, 2 initrds (one compressible, one
 * not), cmdline "console=ttyS0 root=/dev/ram0". Returns 0 on success. */
int fixture_default(struct fixture *f);
int fixture_pack(struct fixture *f);

/* Runs the stub's run function on fd with argv-style options; returns its exit code. */
int fixture_run(int fd, const char *const *args);

/* The same, keeping what it printed on stderr in msg (NUL-terminated, at most size-1 bytes). */
int fixture_run_stderr(int fd, const char *const *args, char *msg, size_t size);

/* Rewrites the table entry i of the bundle at fd with *s and fixes the table and trailer
 * checksums, so only the check under test can catch the change. */
void fixture_rewrite(int fd, const struct kexe_bundle *b, unsigned i, const struct kexe_section *s);

/* Rewrites the trailer with *t (checksums recomputed over the current table). */
void fixture_rewrite_trailer(int fd, uint64_t size, const struct kexe_trailer *t);

/* A host root for the fake seam: root, kexec enabled, no lockdown, 4 GiB available. Sets
 * KEXE_FAKE_ROOT. meminfo_kib overrides MemAvailable when non-zero. Returns the directory. */
const char *fixture_host(unsigned long long meminfo_kib, const char *lockdown, int disabled);

extern unsigned kexe_fake_loads, kexe_fake_reboots;

#endif
