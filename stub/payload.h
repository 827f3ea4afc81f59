/* The payload the kernel will load: kernel and initrd as memfds, and the final command line. */
#ifndef KEXE_PAYLOAD_H
#define KEXE_PAYLOAD_H

#include <stdint.h>

#include "err.h"
#include "format.h"
#include "kernel.h"

struct kexe_payload {
	int kernel_fd;	/* memfd holding the kernel image */
	int initrd_fd;	/* memfd holding every initrd, or -1 when there is none */
	int release_fd; /* with --consume: the bundle, writable, whose pages are freed as read */
	const char *stage_dir; /* non-NULL: unpack into unlinked files there, not memfds */
	/* kexec_load of a bundle with one raw initrd: the initrd is read where it lies in the
	 * bundle file (a read-only mapping), never copied by us; initrd_fd is then -1 */
	const unsigned char *initrd_map;
	void *initrd_map_base;
	size_t initrd_map_len;
	uint64_t kernel_size;
	uint64_t initrd_size;
	struct kexe_kernel_info kernel;
	char *cmdline; /* NUL-terminated, heap */
};

/* Decodes the kernel of validated bundle b (open at fd) into a memfd and probes it: refuses
 * (KEXE_EXIT_BUNDLE) a non-kernel or a kernel for another arch than the bundle's and this
 * machine's. Sets kernel_fd, kernel_size and kernel; the rest of p is left alone. */
int kexe_payload_kernel(int fd, const struct kexe_bundle *b, struct kexe_payload *p,
			struct kexe_err *err);

/* What goes after the bundle's initrds: files named on the command line, then an archive built
 * in memory (the carried host state; tail_size 0 when there is none). */
struct kexe_initrd_extras {
	char *const *files;
	unsigned n_files;
	const unsigned char *tail;
	size_t tail_size;
};

/* Total initrd bytes: the bundle's initrds, the extra files and the tail, each starting 4-byte
 * aligned. */
int kexe_payload_initrd_size(const struct kexe_bundle *b, const struct kexe_initrd_extras *x,
			     uint64_t *size, struct kexe_err *err);

/* Decodes the bundle's initrds, then appends the extras, into one memfd of
 * kexe_payload_initrd_size() bytes. Sets initrd_fd (-1 when the size is 0), initrd_size. */
int kexe_payload_initrd(int fd, const struct kexe_bundle *b, const struct kexe_initrd_extras *x,
			struct kexe_payload *p, struct kexe_err *err);

/* Non-zero when the bundle's initrd can be loaded straight from the bundle file: exactly one
 * initrd, stored raw, and nothing appended after it. */
int kexe_payload_initrd_mappable(const struct kexe_bundle *b, const struct kexe_initrd_extras *x);

/* Maps that initrd read-only from the bundle open at fd and verifies its checksum through the
 * mapping. Sets initrd_map, initrd_size; initrd_fd stays -1. */
int kexe_payload_initrd_map(int fd, const struct kexe_bundle *b, struct kexe_payload *p,
			    struct kexe_err *err);

/* Builds the command line: replace (when not NULL) or the bundle's, then each of append
 * separated by spaces, then (when consoles_from is not NULL: --reuse-console) the console
 * arguments of that running command line which the line lacks (kexe_reuse_consoles). Refuses
 * (KEXE_EXIT_USAGE) one longer than the kernel accepts (p->kernel.cmdline_max). */
int kexe_payload_cmdline(int fd, const struct kexe_bundle *b, const char *replace,
			 char *const *append, unsigned n_append, const char *consoles_from,
			 struct kexe_payload *p, struct kexe_err *err);

/* One part of the payload as bytes in this process's memory, wherever they live: a memfd, a
 * file staged on disk, or the bundle's own pages (the initrd read in place). */
struct kexe_bytes {
	const unsigned char *data; /* NULL when size is 0 */
	uint64_t size;
};

/* The whole payload as the kexec_load backends read it. Every backend takes its segments from
 * a view and nothing else, so where the bytes live is decided once, here, for every arch. */
struct kexe_payload_view {
	struct kexe_bytes kernel;
	struct kexe_bytes initrd; /* size 0: the payload has no initrd */
	void *kernel_map;	  /* mappings made for the view, undone by kexe_payload_unview */
	void *initrd_map;
};

/* Maps the kernel and the initrd of p read-only, or borrows the initrd's mapping when it is read
 * in place. Refuses (KEXE_EXIT_INTERNAL) a payload whose initrd_size says there is an initrd
 * that neither initrd_fd nor initrd_map holds, instead of loading without it. Returns 0, or -1
 * with err; v is then empty and needs no kexe_payload_unview. */
int kexe_payload_view(const struct kexe_payload *p, struct kexe_payload_view *v,
		      struct kexe_err *err);

/* Undoes the mappings kexe_payload_view made; v may be zeroed. */
void kexe_payload_unview(const struct kexe_payload *p, struct kexe_payload_view *v);

/* Closes and frees what the functions above made; p may be partly filled. */
void kexe_payload_free(struct kexe_payload *p);

#endif
