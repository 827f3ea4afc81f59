/* Harness: recognising a kernel image (x86 bzImage and arm64 Image headers, and the refusals of
 * gzip, ELF, EFI zboot and everything else). Input: a whole kernel file. */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "kernel.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t head_len = size < KEXE_KERNEL_PROBE_SIZE ? size : KEXE_KERNEL_PROBE_SIZE;
	/* a copy of exactly head_len bytes, so that reading past it is an ASan report */
	unsigned char *head = malloc(head_len ? head_len : 1);
	struct kexe_kernel_info info;
	struct kexe_err err;

	memcpy(head, data, head_len);
	if (kexe_kernel_probe(head, head_len, size, &info, &err) == 0) {
		FUZZ_ASSERT(info.arch == KEXE_ARCH_X86_64 || info.arch == KEXE_ARCH_AARCH64);
		FUZZ_ASSERT(info.memory_size >= size);
		FUZZ_ASSERT(memchr(info.description, 0, sizeof info.description) != NULL);
		FUZZ_ASSERT(info.description[0] != 0);
	} else {
		FUZZ_ASSERT(err.code == KEXE_EXIT_BUNDLE);
		FUZZ_ASSERT(strncmp(err.msg, "kernel image is ", 16) == 0);
	}
	free(head);
	return 0;
}
