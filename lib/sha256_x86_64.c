/* SHA-256 blocks with the x86 SHA extensions (SHA-NI), written from the Intel SDM's description
 * of SHA256RNDS2, SHA256MSG1 and SHA256MSG2. Only blocks_sha_ni() is compiled for those
 * instructions (a target attribute), so the rest of the build stays baseline x86_64 and runs on
 * CPUs without them; kexe_sha256_cpu() asks CPUID before anything calls it. */
#include <cpuid.h>
#include <immintrin.h>

#include "sha256_impl.h"

/* Four rounds from the message words m (W[i..i+3], W[i] in the low lane). SHA256RNDS2 does two
 * rounds on ABEF (A in the high lane) and CDGH with W+K from the low two lanes of its third
 * operand, and returns the new ABEF; the old ABEF is then the new CDGH, so the two registers
 * swap roles each time instead of being moved. */
#define ROUNDS4(m, i)                                                                              \
	do {                                                                                       \
		__m128i wk =                                                                       \
		    _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&kexe_sha256_k[i]));         \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);                                      \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));             \
	} while (0)

/* m0 = W[i..i+3] from m0..m3 = W[i-16..i-1]: MSG1 adds sigma0(W[t-15]) to W[t-16], then
 * W[t-7] (W[i-7..i-4], straddling m2 and m3) is added, and MSG2 adds sigma1(W[t-2]), feeding its
 * own first two results back for the last two lanes. */
#define SCHEDULE(m0, m1, m2, m3)                                                                   \
	m0 = _mm_sha256msg2_epu32(                                                                 \
	    _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3)

__attribute__((target("sha,sse4.1"))) static void blocks_sha_ni(uint32_t state[8],
								const unsigned char *p, size_t n)
{
	/* the message is big-endian words: reverse the bytes of each 32-bit lane */
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i abef = _mm_set_epi32((int)state[0], (int)state[1], (int)state[4], (int)state[5]);
	__m128i cdgh = _mm_set_epi32((int)state[2], (int)state[3], (int)state[6], (int)state[7]);
	uint32_t out[8];

	for (; n; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh;
		__m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap);
		__m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
		__m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
		__m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

		ROUNDS4(m0, 0);
		ROUNDS4(m1, 4);
		ROUNDS4(m2, 8);
		ROUNDS4(m3, 12);
		for (unsigned i = 16; i < 64; i += 16) {
			SCHEDULE(m0, m1, m2, m3);
			ROUNDS4(m0, i);
			SCHEDULE(m1, m2, m3, m0);
			ROUNDS4(m1, i + 4);
			SCHEDULE(m2, m3, m0, m1);
			ROUNDS4(m2, i + 8);
			SCHEDULE(m3, m0, m1, m2);
			ROUNDS4(m3, i + 12);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	/* lanes low to high: F E B A and H G D C */
	_mm_storeu_si128((__m128i *)out, abef);
	_mm_storeu_si128((__m128i *)(out + 4), cdgh);
	state[0] = out[3];
	state[1] = out[2];
	state[2] = out[7];
	state[3] = out[6];
	state[4] = out[1];
	state[5] = out[0];
	state[6] = out[5];
	state[7] = out[4];
}

static const struct kexe_sha256_impl sha_ni = {"sha-ni", blocks_sha_ni};

const struct kexe_sha256_impl *kexe_sha256_cpu(void)
{
	unsigned a, b, c, d;

	/* SSSE3 (byte shuffle, alignr) and SSE4.1 come with every SHA-NI CPU so far, but the
	 * code uses them, so ask rather than assume (an emulator or hypervisor may mask any). */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return NULL;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_SHA))
		return NULL;
	return &sha_ni;
}
