/* What the running host allows: read once, before anything is decompressed, through the seam. */
#ifndef KEXE_HOST_H
#define KEXE_HOST_H

#include <stdint.h>

#include "err.h"

struct kexe_host {
	int root;		/* effective uid 0 */
	int kexec_disabled;	/* kernel.kexec_load_disabled = 1 */
	char lockdown[24];	/* "none", "integrity", "confidentiality"; "" when unknown */
	char container[32];	/* container kind when detected, else "" */
	uint64_t mem_available; /* MemAvailable in bytes; 0 when /proc/meminfo is unreadable */
	uint64_t mem_total;
};

/* Reads the host facts above; a fact that cannot be read is left at its "unknown" value. */
void kexe_host_probe(struct kexe_host *h);

/* Refuses (KEXE_EXIT_HOST) when this host cannot load a kernel: not root, kexec disabled, or
 * inside a container. */
int kexe_host_check(const struct kexe_host *h, struct kexe_err *err);

/* Bytes of RAM loading needs at its peak: our copy of kernel and initrd in memfds, the
 * kernel's read buffers (same sizes), and the loaded image (kernel_memory for the kernel, the
 * initrd once more), plus slack for the kernel's own structures. */
uint64_t kexe_memory_need(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd);

/* Refuses (KEXE_EXIT_MEMORY) when MemAvailable is known and below need. */
int kexe_host_check_memory(const struct kexe_host *h, uint64_t need, uint64_t payload,
			   struct kexe_err *err);

#endif
