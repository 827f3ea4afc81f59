/* What the loader does differently per architecture at run time, behind small functions, so
 * the rest of the stub has no architecture conditionals. An x86_64 hook is a constant the
 * compiler folds away: the x86_64 loader is the same code as without it. */
#ifndef KEXE_ARCH_H
#define KEXE_ARCH_H

#include "err.h"
#include "host.h"
#include "payload.h"

/* arm64 (stub/arm64.c): kexec_file_load answers EINVAL both for an Image the running kernel
 * cannot load (endianness, page size, a damaged header) and for some failures to place it in
 * memory, so the message names both; other errnos get the common explanation (returns 0). */
int kexe_arm64_load_error(const char *call, int e, const struct kexe_payload *p,
			  const struct kexe_host *h, struct kexe_err *err);

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

#endif
