/* Recognising kernel images: what kexec_file_load accepts on each architecture. Used by the
 * packer before writing a bundle and by the stub before loading one. */
#ifndef KEXE_KERNEL_H
#define KEXE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* How many leading bytes of an image kexe_kernel_probe() needs to see (fewer if the file is
 * shorter). */
#define KEXE_KERNEL_PROBE_SIZE 1024

struct kexe_kernel_info {
	uint32_t arch;	      /* enum kexe_arch_id */
	uint32_t cmdline_max; /* longest command line it accepts, without the NUL */
	uint64_t memory_size; /* bytes the loaded image occupies (>= file size) */
	int five_level;	      /* x86: boots on a host using 5-level paging (XLF_5LEVEL) */
	char description[96]; /* e.g. "x86 bzImage, boot protocol 2.15" */
};

/* Identifies the kernel whose first bytes are head[0..head_len) and whose whole size is
 * file_size. Returns 0 and fills *info for an x86_64 bzImage that kexec_file_load can load
 * (boot protocol >= 2.12, 64-bit entry, loadable above 4 GiB) or an arm64 Image; otherwise -1
 * with err (KEXE_EXIT_BUNDLE) naming what the file is instead (gzip/zboot/ELF vmlinux/32-bit
 * bzImage/unknown) and what to give instead. */
int kexe_kernel_probe(const unsigned char *head, size_t head_len, uint64_t file_size,
		      struct kexe_kernel_info *info, struct kexe_err *err);

/* Name of an arch id as users know it ("x86_64", "arm64"). */
const char *kexe_arch_name(uint32_t arch);

/* The arch this program was compiled for. */
uint32_t kexe_host_arch(void);

#endif
