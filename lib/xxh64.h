/* XXH64 (seed 0), the checksum of the bundle format. Detects corruption and truncation; it is
 * not a cryptographic hash (users pin a bundle with SHA-256, see docs/SECURITY.md). */
#ifndef KEXE_XXH64_H
#define KEXE_XXH64_H

#include <stddef.h>
#include <stdint.h>

struct kexe_xxh64 {
	uint64_t acc[4];
	uint64_t total;
	unsigned char buf[32];
	unsigned buffered;
};

void kexe_xxh64_init(struct kexe_xxh64 *s);
/* Feeds len bytes; any split of the input into calls gives the same digest. */
void kexe_xxh64_update(struct kexe_xxh64 *s, const void *data, size_t len);
uint64_t kexe_xxh64_digest(const struct kexe_xxh64 *s);
/* One-shot form of the three calls above. */
uint64_t kexe_xxh64(const void *data, size_t len);

#endif
