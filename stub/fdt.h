/* Flattened device trees (the devicetree specification's .dtb): arm64's kexec_load path hands
 * the new kernel the running kernel's tree (/sys/firmware/fdt) with a new /chosen node. */
#ifndef KEXE_FDT_H
#define KEXE_FDT_H

#include <stddef.h>
#include <stdint.h>

#define KEXE_FDT_MAGIC 0xd00dfeedu
#define KEXE_FDT_KASLR_SEED 8 /* bytes of kaslr-seed */
#define KEXE_FDT_RNG_SEED 128 /* bytes of rng-seed, as the kernel's kexec_file_load gives */
#define KEXE_FDT_SEEDS (KEXE_FDT_KASLR_SEED + KEXE_FDT_RNG_SEED)

/* Writes into out (cap bytes) the device tree in[0..len) with its /chosen node's bootargs set
 * to cmdline and, when initrd_end > initrd_start, linux,initrd-start and linux,initrd-end set
 * (64-bit); any earlier values of those and crash-kernel properties (linux,elfcorehdr,
 * linux,usable-memory-range) are dropped. When seeds is not NULL, its KEXE_FDT_SEEDS random
 * bytes become kaslr-seed (the first 8) and rng-seed (the rest), replacing the old ones (the
 * running kernel has cleared or removed those it used); when NULL, the old ones stay. A tree
 * without /chosen gets one. The memory reservation block is kept. Returns the new tree's
 * size, or 0 when in is not a well-formed tree (version 16 or 17) or out is too small. */
size_t kexe_fdt_set_chosen(const unsigned char *in, size_t len, const char *cmdline,
			   uint64_t initrd_start, uint64_t initrd_end, const unsigned char *seeds,
			   unsigned char *out, size_t cap);

#endif
