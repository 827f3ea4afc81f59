/* Little-endian loads and stores for the on-disk format. */
#ifndef KEXE_BYTES_H
#define KEXE_BYTES_H

#include <stdint.h>

static inline uint16_t kexe_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t kexe_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t kexe_le64(const unsigned char *p)
{
	return (uint64_t)kexe_le32(p) | (uint64_t)kexe_le32(p + 4) << 32;
}

static inline void kexe_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void kexe_put64(unsigned char *p, uint64_t v)
{
	kexe_put32(p, (uint32_t)v);
	kexe_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
