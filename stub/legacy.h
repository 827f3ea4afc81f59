/* The kexec_load path (x86_64): what the kernel does for us in kexec_file_load, done here, so
 * that the payload is copied into the kernel once instead of read into a buffer and copied
 * again. Peak memory: our memfds plus the loaded image. */
#ifndef KEXE_LEGACY_H
#define KEXE_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "host.h"
#include "memmap.h"
#include "payload.h"

/* Where the segments go, in physical memory. */
struct kexe_x86_layout {
	uint64_t kernel;      /* protected-mode kernel, aligned to kernel_alignment */
	uint64_t kernel_size; /* bytes kept free for it: init_size or more, page multiple (its
			       * segment is only its file bytes) */
	uint64_t params;      /* boot_params page, command line right after it */
	uint64_t initrd;
	uint64_t purgatory;
};

/* Chooses addresses for the kernel (whose first bytes are the bzImage header hdr), a params
 * segment of params_size bytes, an initrd of initrd_size bytes and a purgatory of
 * purgatory_size bytes, inside the RAM ranges of m, above 1 MiB, without overlap (the kernel,
 * its params and the purgatory below 4 GiB), honouring
 * pref_address, kernel_alignment, init_size, initrd_addr_max and XLF_CAN_BE_LOADED_ABOVE_4G.
 * Returns 0, or -1 with err (KEXE_EXIT_MEMORY) naming what did not fit. */
int kexe_x86_place(const struct kexe_memmap *m, const unsigned char *hdr, uint64_t kernel_file,
		   uint64_t params_size, uint64_t initrd_size, uint64_t purgatory_size,
		   struct kexe_x86_layout *out, struct kexe_err *err);

/* Fills the 4096-byte boot_params page for the bzImage header hdr: the kernel's setup header,
 * loader type, command line and initrd addresses, the e820 table from m, and acpi_rsdp
 * (0 when unknown). */
void kexe_x86_boot_params(unsigned char params[4096], const unsigned char *hdr,
			  const struct kexe_memmap *m, const struct kexe_x86_layout *l,
			  uint64_t initrd_size, uint64_t acpi_rsdp);

/* Bytes of the purgatory segment: the code, then its page tables. */
size_t kexe_x86_purgatory_size(void);

/* Fills seg (kexe_x86_purgatory_size() bytes) with the purgatory for physical address phys:
 * the code with its boot_params pointer and kernel entry point filled in, and page tables that
 * map the low 4 GiB to themselves (2 MiB pages; a PML5 root for hosts on 5-level paging). */
void kexe_x86_purgatory(unsigned char *seg, uint64_t phys, uint64_t params, uint64_t entry);

/* Loads the payload through the seam's kexec_load. Returns 0, or -1 with err. */
int kexe_load_legacy(const struct kexe_payload *p, const struct kexe_host *h, struct kexe_err *err);

#endif
