/* Output files (memfds, extracted files) filled by decoding straight into a shared mapping,
 * so the payload is copied once, from the bundle into the file's pages. */
#ifndef KEXE_MAPOUT_H
#define KEXE_MAPOUT_H

#include <stdint.h>

#include "err.h"

/* Sets the size of the file open (read-write) at fd to size, reserves its blocks on a file
 * system that can fill up (a full one is KEXE_EXIT_IO with a message, never a SIGBUS while
 * writing through the mapping) and maps it shared and writable. *map is NULL when size is 0.
 * Sizes come from a validated bundle or from fstat. */
int kexe_map_output(int fd, uint64_t size, unsigned char **map, struct kexe_err *err);

/* Unmaps what kexe_map_output mapped (a NULL map is fine). */
void kexe_unmap_output(unsigned char *map, uint64_t size);

#endif
