/* What the loader does differently per architecture at run time, behind small functions, so
 * the rest of the stub has no architecture conditionals. An x86_64 hook is a constant the
 * compiler folds away: the x86_64 loader is the same code as without it. */
#ifndef KEXE_ARCH_H
#define KEXE_ARCH_H

#include <errno.h>
#include <stdint.h>

#include "err.h"
#include "format.h"
#include "host.h"
#include "payload.h"

/* arm64 (stub/arm64.c): kexec_file_load answers EINVAL both for an Image the running kernel
 * cannot load (endianness, page size, a damaged header) and for some failures to place it in
 * memory, so the message names both; other errnos get the common explanation (returns 0). */
int kexe_arm64_load_error(const char *call, int e, const struct kexe_payload *p,
			  const struct kexe_host *h, struct kexe_err *err);

/* arm64's kexec_load path (stub/arm64.c, stub/legacy_aarch64.c). */
#define KEXE_ARM64_MAX_RAM 64

struct kexe_arm64_ram {
	unsigned count;
	struct {
		uint64_t start, end; /* end exclusive */
	} spans[KEXE_ARM64_MAX_RAM]; /* free RAM, sorted */
};

/* Reads /proc/iomem's text: the top-level "System RAM" ranges minus what is reserved inside
 * them ("reserved", "Crash kernel"; the running kernel's own image may be overwritten). */
void kexe_arm64_parse_iomem(const char *text, struct kexe_arm64_ram *ram);

struct kexe_arm64_layout {
	uint64_t kernel;      /* load address: a 2 MiB aligned base + text_offset */
	uint64_t kernel_size; /* bytes reserved: image_size (with its bss), page multiple */
	uint64_t initrd, dtb, purgatory;
};

/* Places the kernel (text_offset, image_size from its header; kernel_file bytes), the initrd,
 * the device tree and the purgatory together in the lowest span of ram that holds them, the
 * kernel first. Returns 0, or -1 with err (KEXE_EXIT_MEMORY). */
int kexe_arm64_place(const struct kexe_arm64_ram *ram, uint64_t text_offset, uint64_t image_size,
		     uint64_t kernel_file, uint64_t initrd_size, uint64_t dtb_size,
		     uint64_t purgatory_size, struct kexe_arm64_layout *l, struct kexe_err *err);

/* The purgatory kexec_load starts: x0 = dtb, x1..x3 = 0, then a branch to entry (the kernel's
 * first byte), as booting.rst asks; kexec_file_load does this itself. */
#define KEXE_ARM64_PURGATORY_SIZE 40
void kexe_arm64_purgatory(unsigned char out[KEXE_ARM64_PURGATORY_SIZE], uint64_t dtb,
			  uint64_t entry);

/* Explains errno e from call when this architecture's kernel means something of its own by it:
 * sets err and returns -1. Returns 0 when the common explanation (stub/load.c) applies. */
static inline int kexe_arch_load_error(const char *call, int e, const struct kexe_payload *p,
				       const struct kexe_host *h, struct kexe_err *err)
{
#if defined(__aarch64__)
	return kexe_arm64_load_error(call, e, p, h, err);
#else
	(void)call, (void)e, (void)p, (void)h, (void)err;
	return 0;
#endif
}

/* When the running kernel has no kexec_file_load (errno e is ENOSYS), whether this loader
 * tries kexec_load instead: arm64 kernels are often built without CONFIG_KEXEC_FILE (Debian's
 * are), x86_64 ones have it. */
static inline int kexe_arch_fall_back_to_kexec_load(int e)
{
#if defined(__aarch64__)
	return e == ENOSYS;
#else
	(void)e;
	return 0;
#endif
}

/* Whether this loader has a kexec_load path for kernels of arch (enum kexe_arch_id). */
static inline int kexe_arch_has_kexec_load(uint32_t arch)
{
#if defined(__aarch64__)
	return arch == KEXE_ARCH_AARCH64;
#else
	return arch == KEXE_ARCH_X86_64;
#endif
}

#endif
