/* arm64 has no kexec_load path (stub/legacy_x86_64.c is x86_64's): the preflight never picks
 * it on arm64 and refuses --syscall legacy, so this only keeps the loader linkable. */
#include "legacy.h"

int kexe_load_legacy(const struct kexe_payload *p, const struct kexe_host *h, struct kexe_err *err)
{
	(void)p;
	(void)h;
	return kexe_fail(err, KEXE_EXIT_USAGE,
			 "--syscall legacy (kexec_load) is implemented for x86_64 only; use "
			 "--syscall file");
}
