/* Input files of `kexe pack`, mapped read-only for the writer. */
#ifndef KEXE_INPUT_H
#define KEXE_INPUT_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct input_file {
	const char *path;
	unsigned char *data; /* NULL when empty */
	uint64_t size;
	dev_t dev;
	ino_t ino;
	int borrowed; /* data lies inside another input's mapping (input_view) */
};

/* Maps the regular file at path (following symlinks). */
int input_open(struct input_file *f, const char *path, struct kexe_err *err);
void input_close(struct input_file *f);

/* Makes f a view of size bytes at offset inside parent's mapping (a UKI section), named label
 * in messages and carrying parent's identity for the check that -o is no input. The range
 * must lie inside parent; closing f unmaps nothing. */
void input_view(struct input_file *f, const struct input_file *parent, const char *label,
		uint64_t offset, uint64_t size);

#endif
