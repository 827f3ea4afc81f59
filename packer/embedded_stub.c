#include "embedded.h"
#include "format.h"

/* defined by stub_blob.S; the aarch64 blob is empty when the build had no aarch64 toolchain */
extern const unsigned char kexe_stub_x86_64[], kexe_stub_x86_64_end[];
extern const unsigned char kexe_stub_aarch64[], kexe_stub_aarch64_end[];

const unsigned char *kexe_embedded_stub(uint32_t arch, size_t *size)
{
	const unsigned char *start, *end;

	switch (arch) {
	case KEXE_ARCH_X86_64:
		start = kexe_stub_x86_64, end = kexe_stub_x86_64_end;
		break;
	case KEXE_ARCH_AARCH64:
		start = kexe_stub_aarch64, end = kexe_stub_aarch64_end;
		break;
	default:
		return NULL;
	}
	if (end == start)
		return NULL;
	*size = (size_t)(end - start);
	return start;
}
