/* Synthetic kernel images and data for tests (unit tests and tests/tools/mkimage). */
#ifndef KEXE_IMAGES_H
#define KEXE_IMAGES_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf (size bytes) with a synthetic x86_64 bzImage header (boot protocol 2.15, 64-bit,
 * cmdline_size cmdline_max) and a deterministic body. */
void fixture_bzimage(unsigned char *buf, size_t size, uint32_t cmdline_max);

/* Fills buf with a synthetic arm64 Image header and body. */
void fixture_arm64(unsigned char *buf, size_t size);

/* Deterministic bytes: compressible (repeating text) or not (xorshift). */
void fixture_bytes(unsigned char *buf, size_t size, int compressible, uint32_t seed);

#endif
