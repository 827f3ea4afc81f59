#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "sha256_impl.h"

const uint32_t kexe_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

/* One round with the eight working variables named in rotated order, so that no round moves
 * them (moving them cost a third of the time). */
#define ROUND(a, b, c, d, e, f, g, h, i)                                                           \
	do {                                                                                       \
		uint32_t t1 = h + BSIG1(e) + CH(e, f, g) + kexe_sha256_k[i] + w[i];                \
		d += t1;                                                                           \
		h = t1 + BSIG0(a) + MAJ(a, b, c);                                                  \
	} while (0)

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void compress_block(uint32_t state[8], const unsigned char block[64])
{
	uint32_t w[64];
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

	for (unsigned i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (unsigned i = 16; i < 64; i++)
		w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];
	for (unsigned i = 0; i < 64; i += 8) {
		ROUND(a, b, c, d, e, f, g, h, i);
		ROUND(h, a, b, c, d, e, f, g, i + 1);
		ROUND(g, h, a, b, c, d, e, f, i + 2);
		ROUND(f, g, h, a, b, c, d, e, i + 3);
		ROUND(e, f, g, h, a, b, c, d, i + 4);
		ROUND(d, e, f, g, h, a, b, c, i + 5);
		ROUND(c, d, e, f, g, h, a, b, i + 6);
		ROUND(b, c, d, e, f, g, h, a, i + 7);
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

static void blocks_portable(uint32_t state[8], const unsigned char *p, size_t n)
{
	for (; n; n--, p += 64)
		compress_block(state, p);
}

const struct kexe_sha256_impl kexe_sha256_portable = {"portable", blocks_portable};

/* Chosen once: asking the CPU (CPUID traps to the hypervisor in a VM) and the environment for
 * every hash would cost more than a short hash. Atomic because the choice may be made by two
 * threads at once; both make the same one, and the tables it points to never change. */
static _Atomic(const struct kexe_sha256_impl *) chosen;

const struct kexe_sha256_impl *kexe_sha256_impl(void)
{
	const struct kexe_sha256_impl *impl = atomic_load_explicit(&chosen, memory_order_relaxed);
	const char *force;

	if (impl)
		return impl;
	force = getenv(KEXE_SHA256_IMPL_ENV);
	impl = force && !strcmp(force, "portable") ? NULL : kexe_sha256_cpu();
	if (!impl)
		impl = &kexe_sha256_portable;
	atomic_store_explicit(&chosen, impl, memory_order_relaxed);
	return impl;
}

void kexe_sha256_use(const struct kexe_sha256_impl *impl)
{
	atomic_store_explicit(&chosen, impl, memory_order_relaxed);
}

void kexe_sha256_init(struct kexe_sha256 *s)
{
	static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memset(s, 0, sizeof *s);
	memcpy(s->state, initial, sizeof initial);
}

void kexe_sha256_update(struct kexe_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	const struct kexe_sha256_impl *impl = kexe_sha256_impl();

	s->total += len;
	if (s->buffered) {
		size_t take = 64 - s->buffered < len ? 64 - s->buffered : len;
		memcpy(s->buf + s->buffered, p, take);
		s->buffered += (unsigned)take;
		p += take;
		len -= take;
		if (s->buffered < 64)
			return;
		impl->blocks(s->state, s->buf, 1);
		s->buffered = 0;
	}
	/* all whole blocks in one call: the CPU's code keeps the state in registers across them */
	impl->blocks(s->state, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	memcpy(s->buf, p, len);
	s->buffered = (unsigned)len;
}

void kexe_sha256_final(struct kexe_sha256 *s, unsigned char out[KEXE_SHA256_SIZE])
{
	uint64_t bits = s->total * 8;
	unsigned char tail[128] = {0x80};
	/* Pad with 0x80, zeros, and the 64-bit big-endian bit count, to a multiple of 64 bytes. */
	size_t pad = (s->buffered < 56 ? 56 : 120) - s->buffered;

	for (unsigned i = 0; i < 8; i++)
		tail[pad + i] = (unsigned char)(bits >> (56 - 8 * i));
	kexe_sha256_update(s, tail, pad + 8);
	for (unsigned i = 0; i < 8; i++)
		store_be32(out + 4 * i, s->state[i]);
}

void kexe_sha256_to_hex(const unsigned char digest[KEXE_SHA256_SIZE],
			char out[KEXE_SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < KEXE_SHA256_SIZE; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 15];
	}
	out[2 * KEXE_SHA256_SIZE] = 0;
}

void kexe_sha256_hex(const void *data, size_t len, char out[KEXE_SHA256_HEX_SIZE])
{
	struct kexe_sha256 s;
	unsigned char digest[KEXE_SHA256_SIZE];

	kexe_sha256_init(&s);
	kexe_sha256_update(&s, data, len);
	kexe_sha256_final(&s, digest);
	kexe_sha256_to_hex(digest, out);
}
