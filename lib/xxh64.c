#include <string.h>

#include "xxh64.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* XXH64 is defined on little-endian words; a memcpy load is one instruction on the hosts we
 * build for, where a byte loop costs the stub (built -Os) half its unpacking time. */
static uint64_t read64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static uint32_t read32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static uint64_t round64(uint64_t acc, uint64_t input)
{
	acc += input * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static uint64_t merge(uint64_t h, uint64_t acc)
{
	h ^= round64(0, acc);
	return h * P1 + P4;
}

static void stripe(uint64_t acc[4], const unsigned char *p)
{
	acc[0] = round64(acc[0], read64(p));
	acc[1] = round64(acc[1], read64(p + 8));
	acc[2] = round64(acc[2], read64(p + 16));
	acc[3] = round64(acc[3], read64(p + 24));
}

void kexe_xxh64_init(struct kexe_xxh64 *s)
{
	memset(s, 0, sizeof *s);
	s->acc[0] = P1 + P2;
	s->acc[1] = P2;
	s->acc[2] = 0;
	s->acc[3] = -P1;
}

void kexe_xxh64_update(struct kexe_xxh64 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* empty input may come as NULL (an empty file maps to nothing); memcpy wants neither */
	if (len == 0)
		return;
	s->total += len;
	if (s->buffered) {
		size_t take = 32 - s->buffered;
		if (take > len)
			take = len;
		memcpy(s->buf + s->buffered, p, take);
		s->buffered += take;
		p += take;
		len -= take;
		if (s->buffered < 32)
			return;
		stripe(s->acc, s->buf);
		s->buffered = 0;
	}
	for (; len >= 32; p += 32, len -= 32)
		stripe(s->acc, p);
	memcpy(s->buf, p, len);
	s->buffered = len;
}

uint64_t kexe_xxh64_digest(const struct kexe_xxh64 *s)
{
	const unsigned char *p = s->buf;
	size_t len = s->buffered;
	uint64_t h;

	if (s->total >= 32) {
		h = rotl(s->acc[0], 1) + rotl(s->acc[1], 7) + rotl(s->acc[2], 12) +
		    rotl(s->acc[3], 18);
		for (int i = 0; i < 4; i++)
			h = merge(h, s->acc[i]);
	} else {
		h = P5;
	}
	h += s->total;
	for (; len >= 8; p += 8, len -= 8) {
		h ^= round64(0, read64(p));
		h = rotl(h, 27) * P1 + P4;
	}
	if (len >= 4) {
		h ^= (uint64_t)read32(p) * P1;
		h = rotl(h, 23) * P2 + P3;
		p += 4;
		len -= 4;
	}
	for (; len > 0; p++, len--) {
		h ^= *p * P5;
		h = rotl(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

uint64_t kexe_xxh64(const void *data, size_t len)
{
	struct kexe_xxh64 s;

	kexe_xxh64_init(&s);
	kexe_xxh64_update(&s, data, len);
	return kexe_xxh64_digest(&s);
}
