#include <string.h>

#include "bytes.h"
#include "images.h"

void fixture_bytes(unsigned char *buf, size_t size, int compressible, uint32_t seed)
{
	static const char text[] = "kexe test data, the same words again and again. ";
	uint32_t x = seed | 1;

	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] =
		    compressible ? (unsigned char)text[i % (sizeof text - 1)] : (unsigned char)x;
	}
}

void fixture_bzimage(unsigned char *buf, size_t size, uint32_t cmdline_max)
{
	fixture_bytes(buf, size, 0, 7);
	memset(buf, 0, 0x300);
	buf[0] = 'M';
	buf[1] = 'Z';
	buf[0x1f1] = 4; /* setup_sects */
	kexe_put32(buf + 0x1f4, (uint32_t)((size - 5 * 512) / 16));
	buf[0x1fe] = 0x55;
	buf[0x1ff] = 0xaa;
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x206] = 0x0f; /* protocol 2.15 */
	buf[0x207] = 0x02;
	buf[0x211] = 0x01; /* LOADED_HIGH */
	buf[0x236] = 0x03; /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	kexe_put32(buf + 0x238, cmdline_max);
	kexe_put32(buf + 0x260, (uint32_t)size * 4); /* init_size */
}

void fixture_arm64(unsigned char *buf, size_t size)
{
	fixture_bytes(buf, size, 0, 11);
	memset(buf, 0, 64);
	kexe_put64(buf + 16, (uint64_t)size * 2); /* image_size */
	memcpy(buf + 56, "ARM\x64", 4);
}
