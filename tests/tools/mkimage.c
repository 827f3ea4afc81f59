/* Writes synthetic test inputs for the shell tests:
 *   mkimage bzimage FILE SIZE [CMDLINE_MAX]   an x86_64 bzImage header and body
 *   mkimage arm64 FILE SIZE                   an arm64 Image header and body
 *   mkimage data FILE SIZE SEED [text]        random (or compressible text) bytes */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "images.h"

int main(int argc, char **argv)
{
	size_t size;
	unsigned char *buf;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: mkimage bzimage|arm64|data FILE SIZE [ARG]\n");
		return 2;
	}
	size = strtoull(argv[3], NULL, 0);
	buf = malloc(size ? size : 1);
	if (!buf)
		return 1;
	if (!strcmp(argv[1], "bzimage"))
		fixture_bzimage(buf, size, argc > 4 ? (uint32_t)atoi(argv[4]) : 2047);
	else if (!strcmp(argv[1], "arm64"))
		fixture_arm64(buf, size);
	else
		fixture_bytes(buf, size, argc > 5 && !strcmp(argv[5], "text"),
			      argc > 4 ? (uint32_t)atoi(argv[4]) : 1);
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f))
		return 1;
	free(buf);
	return 0;
}
