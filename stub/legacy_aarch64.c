/* arm64's kexec_load path: what kexec_file_load does in the kernel, done here for kernels built
 * without CONFIG_KEXEC_FILE (Debian's arm64 kernels, for one). Four segments: the Image at a
 * 2 MiB aligned base + text_offset, the initrd, the running kernel's device tree
 * (/sys/firmware/fdt) with a new /chosen (command line, initrd), and a purgatory that sets x0
 * to the tree and branches to the kernel.
 *
 * A bundle without an initrd still gets one: a page of zeros, which the new kernel unpacks as
 * an empty initramfs. A kernel started by UEFI through its EFI stub finds its initrd in a UEFI
 * configuration table (LINUX_EFI_INITRD_MEDIA_GUID) when the device tree names none, and that
 * table still points at the first kernel's initrd, long since freed: without the empty one the
 * new kernel would unpack whatever lies there now (seen on QEMU virt under AAVMF: "Initramfs
 * unpacking failed: invalid magic at start of compressed archive").
 *
 * /chosen also gets a new kaslr-seed and rng-seed from getrandom(), as the kernel's own
 * kexec_file_load gives: the running kernel has zeroed the kaslr-seed it used and removed its
 * rng-seed, and a CPU without RNDR (Neoverse N1: Graviton2, Ampere Altra) would otherwise start
 * the new kernel without KASLR. While the entropy pool is not ready, the old ones stay. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "arch.h"
#include "arm64.h"
#include "fdt.h"
#include "legacy.h"
#include "load.h"
#include "seam.h"

#define KEXEC_ARCH_AARCH64 (183ul << 16) /* EM_AARCH64 */
#define PAGE 4096ull
#define FDT_MAX (2u << 20) /* booting.rst: the tree must not exceed 2 MiB */
#define IOMEM_MAX (1u << 20)

/* Reads the host file path (through the seam) into a new NUL-terminated buffer. */
static char *slurp(const char *path, size_t max, size_t *len)
{
	int fd = kexe_seam.open_host(path);
	char *buf = fd >= 0 ? malloc(max + 1) : NULL;
	ssize_t n = 0;

	*len = 0;
	while (buf && *len < max && (n = read(fd, buf + *len, max - *len)) > 0)
		*len += (size_t)n;
	if (fd >= 0)
		close(fd);
	if (buf && n < 0) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[*len] = 0;
	return buf;
}

static int load_view(const struct kexe_payload *p, const struct kexe_host *h,
		     const struct kexe_payload_view *v, struct kexe_err *err)
{
	static struct kexe_arm64_ram ram;
	static unsigned char dtb[FDT_MAX];
	unsigned char purgatory[KEXE_ARM64_PURGATORY_SIZE], seeds[KEXE_FDT_SEEDS];
	int have_seeds = getrandom(seeds, sizeof seeds, GRND_NONBLOCK) == (ssize_t)sizeof seeds;
	struct kexe_kexec_segment s[4];
	struct kexe_arm64_image img;
	struct kexe_arm64_layout l;
	/* the initrd's bytes in the new kernel's memory: the payload's, or an empty page */
	uint64_t initrd_size = v->initrd.size ? v->initrd.size : PAGE;
	size_t iomem_len, fdt_len, dtb_size = 0;
	char *iomem = slurp("/proc/iomem", IOMEM_MAX, &iomem_len);
	char *fdt = slurp("/sys/firmware/fdt", FDT_MAX, &fdt_len);
	unsigned n = 0;
	int rc = 0;

	if (!iomem || !fdt)
		rc = kexe_fail(err, KEXE_EXIT_HOST,
			       "kexec_load needs %s, which cannot be read; run as root on the host",
			       iomem ? "/sys/firmware/fdt (the device tree)" : "/proc/iomem");
	if (rc == 0)
		rc = kexe_arm64_image_read(v->kernel.data, (size_t)v->kernel.size, &img, err);
	if (rc == 0) {
		kexe_arm64_parse_iomem(iomem, &ram);
		/* the tree's size with the new /chosen is not known before its address: place it
		 * with room for the command line and the initrd properties, then write it */
		dtb_size = fdt_len + strlen(p->cmdline) + 256 + sizeof seeds;
		rc = kexe_arm64_place(&ram, img.text_offset, img.image_size, v->kernel.size,
				      initrd_size, dtb_size, sizeof purgatory, &l, err);
	}
	if (rc == 0 && !(dtb_size = kexe_fdt_set_chosen(
			     (unsigned char *)fdt, fdt_len, p->cmdline, l.initrd,
			     l.initrd + initrd_size, have_seeds ? seeds : NULL, dtb, sizeof dtb)))
		rc =
		    kexe_fail(err, KEXE_EXIT_HOST,
			      "/sys/firmware/fdt is not a device tree kexe can rewrite; use a host "
			      "kernel with kexec_file_load");
	if (rc == 0) {
		kexe_arm64_purgatory(purgatory, l.dtb, l.kernel);
		s[n++] = (struct kexe_kexec_segment){v->kernel.data, (size_t)v->kernel.size,
						     l.kernel, (size_t)l.kernel_size};
		/* no initrd: no bytes, and the kernel fills the page with zeros */
		s[n++] =
		    (struct kexe_kexec_segment){v->initrd.data, (size_t)v->initrd.size, l.initrd,
						(size_t)((initrd_size + PAGE - 1) / PAGE * PAGE)};
		s[n++] = (struct kexe_kexec_segment){dtb, dtb_size, l.dtb,
						     (size_t)((dtb_size + PAGE - 1) / PAGE * PAGE)};
		s[n++] = (struct kexe_kexec_segment){purgatory, sizeof purgatory, l.purgatory,
						     (size_t)PAGE};
		if (kexe_seam.kexec_load(l.purgatory, n, s, KEXEC_ARCH_AARCH64))
			rc = kexe_load_error("kexec_load", errno, p, h, err);
	}
	free(iomem);
	free(fdt);
	return rc;
}

int kexe_load_legacy(const struct kexe_payload *p, const struct kexe_host *h, struct kexe_err *err)
{
	struct kexe_payload_view v;
	int rc = kexe_payload_view(p, &v, err);

	if (rc == 0)
		rc = load_view(p, h, &v, err);
	kexe_payload_unview(p, &v);
	return rc;
}
