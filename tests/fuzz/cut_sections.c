/* Writes the decode harness's seeds: for each section of each bundle named, one file holding
 * the compression byte, the original size (u32, little-endian) and the stored bytes.
 * Usage: cut-sections OUTDIR BUNDLE... */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "format.h"
#include "io.h"

static int cut(const char *out_dir, const char *path)
{
	static struct kexe_bundle b;
	struct kexe_err err;
	int fd = open(path, O_RDONLY), rc = 0;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (fd < 0 || kexe_bundle_open(fd, &b, 1, &err)) {
		fprintf(stderr, "cut-sections: %s: %s\n", path, fd < 0 ? "cannot open" : err.msg);
		return 1;
	}
	for (unsigned i = 0; i < b.section_count && rc == 0; i++) {
		const struct kexe_section *s = &b.sections[i];
		unsigned char *buf = malloc((size_t)s->stored_size + 5);
		char name[4096];
		FILE *f;

		snprintf(name, sizeof name, "%s/%s-%u", out_dir, base, i);
		buf[0] = (unsigned char)s->compression;
		kexe_put32(buf + 1, (uint32_t)s->original_size);
		rc = kexe_pread_full(fd, buf + 5, (size_t)s->stored_size, s->offset, &err);
		f = rc ? NULL : fopen(name, "wb");
		if (!f || fwrite(buf, 1, (size_t)s->stored_size + 5, f) != s->stored_size + 5 ||
		    fclose(f)) {
			fprintf(stderr, "cut-sections: cannot write %s\n", name);
			rc = 1;
		}
		free(buf);
	}
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: cut-sections OUTDIR BUNDLE...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		rc |= cut(argv[1], argv[i]);
	return rc;
}
