/* SHA-256 (FIPS 180-4): the checksum users pin a whole bundle with (`sha256sum boot.kexe`), and
 * the one the shell form (`kexe pack --format sh`) checks after unpacking. Our own, so the static
 * packer needs no crypto library. The blocks are hashed with the CPU's SHA instructions where it
 * has them (SHA-NI, ARMv8 SHA2), chosen at the first use; KEXE_SHA256_IMPL=portable forces the
 * portable code (lib/sha256_impl.h). Either gives the same digests. */
#ifndef KEXE_SHA256_H
#define KEXE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KEXE_SHA256_SIZE 32
#define KEXE_SHA256_HEX_SIZE (2 * KEXE_SHA256_SIZE + 1) /* with the terminating NUL */

struct kexe_sha256 {
	uint32_t state[8];
	uint64_t total; /* bytes fed so far */
	unsigned char buf[64];
	unsigned buffered;
};

void kexe_sha256_init(struct kexe_sha256 *s);
/* Feeds len bytes; any split of the input into calls gives the same digest. */
void kexe_sha256_update(struct kexe_sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be initialised again before reuse. */
void kexe_sha256_final(struct kexe_sha256 *s, unsigned char out[KEXE_SHA256_SIZE]);
/* One-shot digest as 64 lowercase hex digits, the form sha256sum prints. */
void kexe_sha256_hex(const void *data, size_t len, char out[KEXE_SHA256_HEX_SIZE]);
void kexe_sha256_to_hex(const unsigned char digest[KEXE_SHA256_SIZE],
			char out[KEXE_SHA256_HEX_SIZE]);

#endif
