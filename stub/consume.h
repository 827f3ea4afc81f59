/* --consume: unpacking a bundle while freeing its file's pages, so the payload is not held
 * twice. A running executable cannot be opened for writing (ETXTBSY), so the loader first
 * re-executes itself from a memfd holding only the loader part; the re-executed loader then
 * opens the bundle file read-write and punches out what it has read. */
#ifndef KEXE_CONSUME_H
#define KEXE_CONSUME_H

#include "err.h"

/* Environment variable naming the bundle to the re-executed loader. */
#define KEXE_CONSUME_ENV "KEXE_CONSUME_BUNDLE"

/* In the first run: re-executes the loader (the first stub_size bytes of the bundle open at
 * self_fd) from a memfd, with KEXE_CONSUME_ENV set to the bundle's path. Returns only on
 * failure, -1 with err. */
int kexe_consume_reexec(int self_fd, unsigned long long stub_size, const char *path, char **argv,
			struct kexe_err *err);

/* In the re-executed loader: opens the bundle named by KEXE_CONSUME_ENV read-write and checks
 * that its file system can free pages (not ramfs). Returns the fd, -1 with err, or -2 when
 * KEXE_CONSUME_ENV is not set (this is the first run). */
int kexe_consume_open(struct kexe_err *err);

/* Non-zero when the file open at fd lives in RAM (tmpfs), so releasing it frees memory. */
int kexe_consume_in_ram(int fd);

#endif
