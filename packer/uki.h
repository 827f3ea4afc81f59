/* Unified Kernel Images (`kexe pack --uki IMAGE.efi`): a PE/COFF EFI program (systemd-stub)
 * whose sections carry the kernel (.linux), the initrd (.initrd), an early microcode initrd
 * (.ucode) and the command line (.cmdline). The section table is read here, defensively: every
 * offset and size is checked against the file before anything is used. */
#ifndef KEXE_UKI_H
#define KEXE_UKI_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "input.h"

/* Most sections a UKI may have (the COFF field allows 65535; real UKIs have about 15). */
#define KEXE_UKI_MAX_SECTIONS 4096
#define KEXE_UKI_MAX_CMDLINE (64u << 10)

/* Where a section's bytes are in the file. */
struct uki_part {
	uint64_t offset;
	uint64_t size;
	int present; /* the UKI has the section (it may be empty) */
};

struct uki {
	uint16_t machine;	/* COFF machine: 0x8664 x86_64, 0xaa64 arm64 */
	unsigned sections;	/* entries in the section table */
	unsigned profiles;	/* .profile sections; with any, profile 0 (the default) is used */
	struct uki_part kernel; /* .linux: the kernel image */
	struct uki_part initrd;
	struct uki_part ucode; /* loaded before .initrd, as systemd-stub does */
	struct uki_part cmdline;
	struct uki_part uname; /* the kernel release, for messages */
};

/* Parses the PE/COFF headers and section table of the image (size bytes) and finds the parts
 * above. With .profile sections (multi-profile UKIs, systemd 257), the sections before the
 * first .profile are the base and those of the first profile replace them, which is what
 * systemd-stub boots by default. Refuses (KEXE_EXIT_USAGE, naming what is wrong): no MZ or PE
 * signature, headers or section table past the end of the file, a wanted section whose data
 * lies outside the file or whose size in memory exceeds its size in the file, a wanted section
 * twice, no .linux. */
int uki_parse(const unsigned char *image, uint64_t size, struct uki *u, struct kexe_err *err);

/* The command line of a parsed UKI as a new NUL-terminated heap string: the .cmdline bytes
 * without trailing NULs and white space ("" without .cmdline). Refuses one with a NUL inside
 * or longer than KEXE_UKI_MAX_CMDLINE. */
int uki_cmdline(const unsigned char *image, const struct uki *u, char **out, struct kexe_err *err);

/* `kexe pack --uki PATH`: maps the UKI at path into *image and makes files[0] a view of its
 * .linux, then views of .ucode and .initrd when present (*n counts them all); *cmdline gets
 * its command line (heap, "" without .cmdline). Messages name a part as "PATH (.linux)". */
int uki_open_parts(const char *path, struct input_file *image, struct input_file *files,
		   unsigned *n, char **cmdline, struct kexe_err *err);

#endif
