/* The firmware's memory map, as the running kernel got it (/sys/firmware/memmap): what the new
 * kernel must be told on the kexec_load path, and where its segments may go. */
#ifndef KEXE_MEMMAP_H
#define KEXE_MEMMAP_H

#include <stdint.h>

#include "err.h"

#define KEXE_MEMMAP_MAX 128
#define KEXE_E820_RAM 1

struct kexe_mem_range {
	uint64_t start;
	uint64_t end;  /* inclusive, as sysfs gives it */
	uint32_t type; /* E820 type: 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable, 7 pmem, 12 */
};

struct kexe_memmap {
	unsigned count;
	struct kexe_mem_range ranges[KEXE_MEMMAP_MAX]; /* sorted by start */
};

/* Reads /sys/firmware/memmap/N/{start,end,type} through the seam. Returns 0, or -1 with err
 * (KEXE_EXIT_HOST) when the host does not export it. */
int kexe_memmap_read(struct kexe_memmap *m, struct kexe_err *err);

/* Maps a sysfs type name ("System RAM", "Reserved", ...) to its E820 number. */
uint32_t kexe_memmap_type(const char *name);

#endif
