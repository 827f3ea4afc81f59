/* SHA-256 blocks with the ARMv8 SHA2 instructions (FEAT_SHA256), written from the Arm ARM's
 * pseudocode of SHA256H, SHA256H2, SHA256SU0 and SHA256SU1. Only blocks_sha2() is compiled for
 * them (a target attribute), so the rest of the build stays baseline armv8-a and runs on cores
 * without them (several Cortex-A53/A55 SoCs leave the crypto extension out); kexe_sha256_cpu()
 * asks the kernel's hardware capabilities before anything calls it. */
#include <arm_neon.h>
#include <sys/auxv.h>

#include "sha256_impl.h"

/* Four rounds from the message words m (W[i..i+3], W[i] in lane 0) on abcd and efgh (a, e in
 * lane 0). SHA256H returns the new abcd; SHA256H2 the new efgh, but it needs the abcd from
 * before SHA256H. */
#define ROUNDS4(m, i)                                                                              \
	do {                                                                                       \
		uint32x4_t wk = vaddq_u32(m, vld1q_u32(&kexe_sha256_k[i]));                        \
		uint32x4_t abcd_before = abcd;                                                     \
		abcd = vsha256hq_u32(abcd, efgh, wk);                                              \
		efgh = vsha256h2q_u32(efgh, abcd_before, wk);                                      \
	} while (0)

/* m0 = W[i..i+3] from m0..m3 = W[i-16..i-1]: SU0 adds sigma0(W[t-15]) to W[t-16], SU1 adds
 * W[t-7] and sigma1(W[t-2]). */
#define SCHEDULE(m0, m1, m2, m3) m0 = vsha256su1q_u32(vsha256su0q_u32(m0, m1), m2, m3)

/* "+crypto" (SHA2 and AES), not "+sha2": GCC 12's arm_neon.h makes the SHA-256 intrinsics
 * "+crypto" functions, which cannot be inlined into a caller with less. No AES instruction is
 * used, so HWCAP_SHA2 alone decides. */
__attribute__((target("+crypto"))) static void blocks_sha2(uint32_t state[8],
							   const unsigned char *p, size_t n)
{
	uint32x4_t abcd = vld1q_u32(state), efgh = vld1q_u32(state + 4);

	for (; n; n--, p += 64) {
		uint32x4_t abcd0 = abcd, efgh0 = efgh;
		/* the message is big-endian words: reverse the bytes of each 32-bit lane */
		uint32x4_t m0 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
		uint32x4_t m1 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16)));
		uint32x4_t m2 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 32)));
		uint32x4_t m3 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 48)));

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
		abcd = vaddq_u32(abcd, abcd0);
		efgh = vaddq_u32(efgh, efgh0);
	}
	vst1q_u32(state, abcd);
	vst1q_u32(state + 4, efgh);
}

static const struct kexe_sha256_impl sha2 = {"armv8-sha2", blocks_sha2};

const struct kexe_sha256_impl *kexe_sha256_cpu(void)
{
	/* the kernel says what the cores have; executing the instruction to find out would be a
	 * SIGILL where they do not */
	return getauxval(AT_HWCAP) & HWCAP_SHA2 ? &sha2 : NULL;
}
