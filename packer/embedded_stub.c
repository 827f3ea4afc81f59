#include "embedded.h"
#include "format.h"

/* defined by stub_blob.S */
extern const unsigned char kexe_stub_x86_64[], kexe_stub_x86_64_end[];

const unsigned char *kexe_embedded_stub(uint32_t arch, size_t *size)
{
	if (arch != KEXE_ARCH_X86_64)
		return NULL;
	*size = (size_t)(kexe_stub_x86_64_end - kexe_stub_x86_64);
	return kexe_stub_x86_64;
}
