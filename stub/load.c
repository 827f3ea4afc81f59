#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "legacy.h"
#include "load.h"
#include "report_json.h"
#include "seam.h"

#define MIB (1024 * 1024)

/* What kexec_file_load meant by an errno that kexec_load is retried after. */
static const char *retry_reason(int e)
{
	switch (e) {
	case EKEYREJECTED:
	case EBADMSG:
		return "its signature check failed";
	case ENOEXEC:
		return "an image format it does not load";
	}
	return "an image it cannot load, or too little memory";
}

int kexe_load_may_retry(const struct kexe_host *h, int e)
{
	int locked = h->lockdown[0] && strcmp(h->lockdown, "none");

	/* the host asks for signed kernels: kexec_load would be a way around that, or refused */
	if (locked || h->secure_boot == 1 || h->ima_kexec)
		return 0;
	switch (e) {
	case EKEYREJECTED:
	case EBADMSG:
		/* a signature was checked and failed: only when no policy is known to want one
		 * (lockdown read as none, secure boot read as off; KEXEC_SIG_FORCE is left) */
		return !strcmp(h->lockdown, "none") && h->secure_boot == 0;
	case ENOEXEC: /* a format the kernel's own loader does not know; ours may */
	case EINVAL:  /* the image or the memory: kexec_load needs less of it */
		return 1;
	}
	return 0;
}

/* kexec_file_load refused the kernel with errno e where kexec_load may take it: tries that, and
 * when it fails too, says what each call answered. */
static int retry_with_kexec_load(const struct kexe_payload *p, const struct kexe_host *h, int e,
				 struct kexe_err *err)
{
	char first[64], second[sizeof err->msg];

	snprintf(first, sizeof first, "%s", strerror(e));
	first[0] = (char)tolower((unsigned char)first[0]);
	fprintf(stderr,
		"kexe: kexec_file_load refused the kernel (%s) and no lockdown, secure boot or "
		"IMA kexec policy was seen: loading with kexec_load instead\n",
		first);
	stub_json_retry("kexec_file_load", e, "kexec_load");
	if (kexe_load_legacy(p, h, err) == 0)
		return 0;
	snprintf(second, sizeof second, "%s", err->msg);
	return kexe_fail_errno(err, err->code, err->sys_errno ? err->sys_errno : e,
			       "kexec_file_load refused the kernel (%s, %s) and kexec_load, tried "
			       "instead, failed too: %s",
			       first, retry_reason(e), second);
}

int kexe_load(const struct kexe_payload *p, const struct kexe_host *h, int legacy,
	      int may_fall_back, struct kexe_err *err)
{
	if (legacy)
		return kexe_load_legacy(p, h, err);
	/* kexec_file_load takes the initrd only as a file: one read in place is not for it */
	if (p->initrd_size && p->initrd_fd < 0)
		return kexe_fail(err, KEXE_EXIT_INTERNAL,
				 "the initrd was not unpacked into a file, which kexec_file_load "
				 "needs; nothing was loaded (a kexe bug: report it, and run with "
				 "--syscall legacy meanwhile)");
	unsigned long flags = p->initrd_fd < 0 ? KEXE_KEXEC_FILE_NO_INITRAMFS : 0;

	if (kexe_seam.kexec_file_load(p->kernel_fd, p->initrd_fd, strlen(p->cmdline) + 1,
				      p->cmdline, flags) == 0)
		return 0;
	if (may_fall_back && kexe_arch_fall_back_to_kexec_load(errno)) {
		fprintf(stderr,
			"kexe: the running kernel has no kexec_file_load (CONFIG_KEXEC_FILE "
			"is off); loading with kexec_load\n");
		return kexe_load_legacy(p, h, err);
	}
	if (may_fall_back && kexe_arch_has_kexec_load(p->kernel.arch) &&
	    kexe_load_may_retry(h, errno))
		return retry_with_kexec_load(p, h, errno, err);
	return kexe_load_error("kexec_file_load", errno, p, h, err);
}

void kexe_unload(void)
{
	kexe_seam.kexec_file_load(-1, -1, 0, NULL, KEXE_KEXEC_FILE_UNLOAD);
}

static int say(const char *call, struct kexe_err *err, int code, int e, const char *cause,
	       const char *advice)
{
	char text[64];

	snprintf(text, sizeof text, "%s", strerror(e));
	text[0] = (char)tolower((unsigned char)text[0]);
	return kexe_fail_errno(err, code, e, "%s: %s: %s; %s", call, text, cause, advice);
}

static int explain_eperm(const char *call, int e, const struct kexe_host *h, struct kexe_err *err)
{
	char cause[96];

	if (h->container[0]) {
		snprintf(cause, sizeof cause, "running inside a container (%s)", h->container);
		return say(call, err, KEXE_EXIT_HOST, e, cause,
			   "run the bundle on the host itself");
	}
	if (!h->root)
		return say(call, err, KEXE_EXIT_HOST, e, "not running as root", "run it as root");
	if (h->kexec_disabled)
		return say(call, err, KEXE_EXIT_HOST, e,
			   "kexec is disabled (kernel.kexec_load_disabled=1)",
			   "reboot normally; it stays disabled until then");
	if (h->lockdown[0] && strcmp(h->lockdown, "none") && !strcmp(call, "kexec_load")) {
		snprintf(cause, sizeof cause, "kernel lockdown (%s) forbids kexec_load",
			 h->lockdown);
		return say(call, err, KEXE_EXIT_HOST, e, cause,
			   "use --syscall file with a kernel signed for this host");
	}
	if (h->lockdown[0] && strcmp(h->lockdown, "none")) {
		snprintf(cause, sizeof cause, "kernel lockdown is active (%s)", h->lockdown);
		return say(call, err, KEXE_EXIT_HOST, e, cause,
			   "boot a signed kernel or disable lockdown");
	}
	return say(call, err, KEXE_EXIT_HOST, e,
		   "the kernel refused: lockdown (mount securityfs to see it), a security "
		   "module, or a user namespace",
		   "check dmesg; run it as real root on the host, with a signed kernel under "
		   "lockdown");
}

static int explain_memory(const char *call, int e, const struct kexe_payload *p,
			  const struct kexe_host *h, struct kexe_err *err)
{
	char cause[192];
	int legacy = !strcmp(call, "kexec_load");
	uint64_t need = kexe_memory_need_for(p->kernel_size, p->kernel.memory_size, p->initrd_size,
					     legacy, p->stage_dir != NULL);
	uint64_t segments =
	    kexe_segments_size(p->kernel_size, p->kernel.memory_size, p->initrd_size, legacy);

	if (e == EINVAL && h->mem_total && segments > h->mem_total / 2) {
		snprintf(cause, sizeof cause,
			 "the kernel loads at most half of its RAM: this payload takes %llu MiB, "
			 "MemTotal is %llu MiB",
			 (unsigned long long)(segments / MIB),
			 (unsigned long long)(h->mem_total / MIB));
		return say(call, err, KEXE_EXIT_MEMORY, e, cause,
			   "use a host with more RAM or a smaller initrd");
	}
	snprintf(cause, sizeof cause,
		 "usually too little memory: this payload needs about %llu MiB while loading, "
		 "%llu MiB of %llu MiB are available",
		 (unsigned long long)(need / MIB), (unsigned long long)(h->mem_available / MIB),
		 (unsigned long long)(h->mem_total / MIB));
	return say(call, err, e == EINVAL ? KEXE_EXIT_KERNEL : KEXE_EXIT_MEMORY, e, cause,
		   "free memory, use a host with more RAM or a smaller initrd");
}

int kexe_load_error(const char *call, int e, const struct kexe_payload *p,
		    const struct kexe_host *h, struct kexe_err *err)
{
	if (kexe_arch_load_error(call, e, p, h, err))
		return -1;
	switch (e) {
	case ENOSYS:
		return say(call, err, KEXE_EXIT_KERNEL, e,
			   "the running kernel has no kexec_file_load (CONFIG_KEXEC_FILE off, or "
			   "a Xen guest)",
			   "use a host kernel built with kexec file load support");
	case EPERM:
		return explain_eperm(call, e, h, err);
	case EKEYREJECTED:
	case EBADMSG:
	case ENOKEY:
		return say(
		    call, err, KEXE_EXIT_HOST, e,
		    "the host requires a signed kernel (secure boot or KEXEC_SIG) and "
		    "rejected this one",
		    "pack a kernel signed with a key the host trusts, or disable secure boot");
	case EBUSY:
		return say(call, err, KEXE_EXIT_KERNEL, e,
			   "the kernel is busy (a kexec is in progress or CPUs are stuck in the "
			   "kernel)",
			   "wait and retry, or reboot the host normally");
	case ENOEXEC:
		return say(call, err, KEXE_EXIT_KERNEL, e,
			   "the running kernel does not recognise the new kernel's image format",
			   "pack a bzImage (x86_64) or Image (arm64) for this architecture");
	case EACCES:
		if (!strcmp(call, "kexec_load"))
			return say(call, err, KEXE_EXIT_HOST, e,
				   "IMA appraisal or secure boot forbids kexec_load (a kernel "
				   "without a file cannot be appraised)",
				   "use --syscall file (auto does when it sees IMA's policy)");
		return say(call, err, KEXE_EXIT_HOST, e,
			   "the kernel's IMA policy did not accept the new kernel (no valid IMA "
			   "signature)",
			   "boot a kernel signed for this host's IMA policy, or a host without it");
	case EINVAL:
	case ENOMEM:
	case EADDRNOTAVAIL:
		return explain_memory(call, e, p, h, err);
	}
	return say(call, err, KEXE_EXIT_KERNEL, e, "the running kernel refused the new kernel",
		   "check dmesg for the kernel's reason");
}
