/* The SHA-256 block functions behind lib/sha256.h: the portable one (lib/sha256.c) and one per
 * architecture that uses the CPU's SHA instructions (lib/sha256_x86_64.c: SHA-NI,
 * lib/sha256_aarch64.c: ARMv8 SHA2). Exactly one architecture file is linked into each build
 * (Makefile, aarch64.mk), so shared code chooses through this table and needs no #if. Callers
 * of lib/sha256.h never see any of it; tests and benchmarks use it to compare implementations. */
#ifndef KEXE_SHA256_IMPL_H
#define KEXE_SHA256_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* KEXE_SHA256_IMPL=portable forces the portable code (tests, measurements, a suspected CPU
 * bug); unset or any other value: the CPU's instructions when it has them. */
#define KEXE_SHA256_IMPL_ENV "KEXE_SHA256_IMPL"

struct kexe_sha256_impl {
	const char *name; /* "portable", "sha-ni", "armv8-sha2": for test output */
	/* Hashes n >= 0 consecutive 64-byte blocks at p (any alignment) into state. */
	void (*blocks)(uint32_t state[8], const unsigned char *p, size_t n);
};

/* FIPS 180-4's K, for every implementation. */
extern const uint32_t kexe_sha256_k[64];

extern const struct kexe_sha256_impl kexe_sha256_portable;

/* Defined by the architecture file: the implementation with this CPU's SHA instructions, or NULL
 * when the CPU lacks them. Asks the CPU each time; kexe_sha256_impl() asks once. */
const struct kexe_sha256_impl *kexe_sha256_cpu(void);

/* The implementation lib/sha256.h uses: chosen at the first call from kexe_sha256_cpu() and
 * KEXE_SHA256_IMPL_ENV, then kept. Safe to call from several threads. */
const struct kexe_sha256_impl *kexe_sha256_impl(void);

/* For tests: lib/sha256.h uses impl from now on (a hash in progress too); NULL chooses again as
 * at the first call, reading KEXE_SHA256_IMPL_ENV again. */
void kexe_sha256_use(const struct kexe_sha256_impl *impl);

#endif
