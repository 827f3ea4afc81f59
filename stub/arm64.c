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
