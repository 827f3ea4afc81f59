/* Harness: the parser of a NixOS kexec tree's kexec-boot script (line joining, shell words and
 * quoting, the `kexec --load` options). Input: the script text, not NUL-terminated. */
#include <stdlib.h>
#include <string.h>

#include "kexec_tree.h"
#include "util.h"

#define DIR "/tree"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kexec_tree t;
	struct kexe_err err;

	if (kexec_tree_parse(DIR, (const char *)data, size, &t, &err) != 0) {
		FUZZ_ASSERT(err.code == KEXE_EXIT_USAGE);
		return 0;
	}
	/* files are looked up by base name: every path names an entry of the tree directory */
	FUZZ_ASSERT(strncmp(t.kernel, DIR "/", sizeof DIR) == 0);
	FUZZ_ASSERT(strchr(t.kernel + sizeof DIR, '/') == NULL);
	FUZZ_ASSERT(!t.initrd[0] || (strncmp(t.initrd, DIR "/", sizeof DIR) == 0 &&
				     strchr(t.initrd + sizeof DIR, '/') == NULL));
	FUZZ_ASSERT(t.cmdline != NULL);
	free(t.cmdline);
	return 0;
}
