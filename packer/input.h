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
};

/* Maps the regular file at path (following symlinks). */
int input_open(struct input_file *f, const char *path, struct kexe_err *err);
void input_close(struct input_file *f);

#endif
