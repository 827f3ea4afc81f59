/* Harness: the Unified Kernel Image reader (PE/COFF headers and section table, profiles, the
 * command line). Input: the image file. Every part it accepts must lie inside the input, and
 * the command line must be a string without NUL; the input is copied into an allocation of
 * exactly its size so ASan catches a read past it. */
#include <stdlib.h>
#include <string.h>

#include "uki.h"
#include "util.h"

static void inside(const struct uki_part *p, size_t size)
{
	FUZZ_ASSERT(!p->present || (p->offset <= size && p->size <= size - p->offset));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *image = malloc(size ? size : 1);
	struct kexe_err err;
	struct uki u;
	char *cmdline;

	memcpy(image, data, size);
	if (uki_parse(image, size, &u, &err) != 0) {
		FUZZ_ASSERT(err.code == KEXE_EXIT_USAGE);
		free(image);
		return 0;
	}
	FUZZ_ASSERT(u.kernel.present && u.kernel.size > 0);
	inside(&u.kernel, size);
	inside(&u.initrd, size);
	inside(&u.ucode, size);
	inside(&u.cmdline, size);
	inside(&u.uname, size);
	if (uki_cmdline(image, &u, &cmdline, &err) == 0) {
		FUZZ_ASSERT(strlen(cmdline) <= u.cmdline.size);
		free(cmdline);
	} else {
		FUZZ_ASSERT(err.code == KEXE_EXIT_USAGE);
	}
	free(image);
	return 0;
}
