/* The loaders embedded in the packer, one per architecture. */
#ifndef KEXE_EMBEDDED_H
#define KEXE_EMBEDDED_H

#include <stddef.h>
#include <stdint.h>

/* The stub for arch (enum kexe_arch_id) and its size, or NULL when this build has none. The
 * unit tests link their own definition with a small fake stub. */
const unsigned char *kexe_embedded_stub(uint32_t arch, size_t *size);

#endif
