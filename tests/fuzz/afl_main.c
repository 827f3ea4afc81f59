/* main() for the harnesses without libFuzzer: runs LLVMFuzzerTestOneInput once on each file
 * named, or on standard input. Built with afl-clang-fast it is an AFL++ target
 * (afl-fuzz -i build/fuzz/seeds/NAME -o OUT -- build/fuzz/afl/NAME @@); built with any other
 * compiler it replays a crashing input. */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static int run_file(FILE *f, const char *name)
{
	size_t size = 0, cap = 1 << 16;
	unsigned char *buf = malloc(cap), *more;

	while (buf && !feof(f) && !ferror(f)) {
		if (size == cap) {
			more = realloc(buf, cap *= 2);
			if (!more)
				break;
			buf = more;
		}
		size += fread(buf + size, 1, cap - size, f);
	}
	if (!buf || !feof(f)) {
		fprintf(stderr, "cannot read %s\n", name);
		free(buf);
		return 1;
	}
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2)
		return run_file(stdin, "standard input");
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		rc |= run_file(f, argv[i]);
		fclose(f);
	}
	return rc;
}
