#include <stdarg.h>
#include <string.h>

#include "preflight.h"

#define MIB (1024 * 1024)

static __attribute__((format(printf, 5, 6))) void add(struct kexe_preflight *pf, const char *check,
						      enum kexe_level level, int code,
						      const char *fmt, ...)
{
	struct kexe_verdict *v = &pf->verdicts[pf->count++];
	va_list ap;

	v->check = check;
	v->level = level;
	v->code = code;
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof v->text, fmt, ap);
	va_end(ap);
}

static void check_permission(const struct kexe_host *h, struct kexe_preflight *pf)
{
	if (h->container[0])
		add(pf, "container", KEXE_FAIL, KEXE_EXIT_HOST,
		    "running inside a container (%s): it cannot replace the host's kernel; run "
		    "the bundle on the host itself, outside the container",
		    h->container);
	else
		add(pf, "container", KEXE_PASS, 0, "not in a container");
	if (!h->root)
		add(pf, "root", KEXE_FAIL, KEXE_EXIT_HOST,
		    "must run as root to load a kernel; run it with sudo or as root (--dry-run "
		    "and --check work without root)");
	else
		add(pf, "root", KEXE_PASS, 0, "running as root");
	if (h->kexec_disabled)
		add(pf, "kexec", KEXE_FAIL, KEXE_EXIT_HOST,
		    "kexec is disabled on this host (kernel.kexec_load_disabled = 1, which stays "
		    "set until reboot); reboot normally, or boot the host without whatever sets "
		    "that sysctl");
	else
		add(pf, "kexec", KEXE_PASS, 0, "kexec_load_disabled is 0");
}

/* Lockdown and secure boot only let signed kernels load; we cannot tell whether this one is
 * signed with a key the host trusts, so they warn and the kernel decides. */
static void check_signing(const struct kexe_host *h, struct kexe_preflight *pf)
{
	if (h->lockdown[0] && strcmp(h->lockdown, "none"))
		add(pf, "lockdown", KEXE_WARN, 0,
		    "kernel lockdown is active (%s): only a kernel signed with a key this host "
		    "trusts will load",
		    h->lockdown);
	else
		add(pf, "lockdown", KEXE_PASS, 0, "%s",
		    h->lockdown[0] ? "lockdown is off" : "lockdown state unknown (no securityfs)");
	if (h->secure_boot == 1)
		add(pf, "secure-boot", KEXE_WARN, 0,
		    "secure boot is on: the host may only load signed kernels");
	else
		add(pf, "secure-boot", KEXE_PASS, 0, "%s",
		    h->secure_boot == 0 ? "secure boot is off" : "secure boot state unknown");
}

static void check_kernel(const struct kexe_host *h, const struct kexe_plan *p,
			 struct kexe_preflight *pf)
{
	if (p->kernel.arch != kexe_host_arch())
		add(pf, "arch", KEXE_FAIL, KEXE_EXIT_BUNDLE,
		    "the kernel is an %s, this machine is %s; pack a kernel for %s",
		    p->kernel.description, kexe_arch_name(kexe_host_arch()),
		    kexe_arch_name(kexe_host_arch()));
	else
		add(pf, "arch", KEXE_PASS, 0, "%s on %s", p->kernel.description,
		    kexe_arch_name(kexe_host_arch()));
	if (h->five_level && !p->kernel.five_level)
		add(pf, "paging", KEXE_FAIL, KEXE_EXIT_BUNDLE,
		    "this host runs with 5-level paging and the kernel does not support it "
		    "(no XLF_5LEVEL); pack a kernel built with CONFIG_X86_5LEVEL, or boot the "
		    "host with no5lvl");
	else
		add(pf, "paging", KEXE_PASS, 0, "%s",
		    h->five_level ? "5-level paging on both sides" : "4-level paging");
}

static int signed_only(const struct kexe_host *h)
{
	return (h->lockdown[0] && strcmp(h->lockdown, "none")) || h->secure_boot == 1;
}

static void check_syscall(const struct kexe_host *h, const struct kexe_plan *p,
			  struct kexe_preflight *pf)
{
	uint64_t file = kexe_memory_need(p->kernel_file, p->kernel.memory_size, p->initrd);
	uint64_t legacy = kexe_memory_need_legacy(p->kernel_file, p->kernel.memory_size, p->initrd);
	uint64_t have = h->mem_available + p->released;
	unsigned long long f = file / MIB, l = legacy / MIB;

	pf->legacy = 0;
	if (p->syscall == SYSCALL_LEGACY && p->kernel.arch != KEXE_ARCH_X86_64)
		add(pf, "syscall", KEXE_FAIL, KEXE_EXIT_USAGE,
		    "--syscall legacy is implemented for x86_64 only; use --syscall file");
	else if (p->syscall == SYSCALL_LEGACY && h->lockdown[0] && strcmp(h->lockdown, "none"))
		add(pf, "syscall", KEXE_FAIL, KEXE_EXIT_HOST,
		    "kernel lockdown (%s) forbids kexec_load; use --syscall file with a signed "
		    "kernel",
		    h->lockdown);
	else if (p->syscall == SYSCALL_LEGACY)
		add(pf, "syscall", KEXE_PASS, 0,
		    "kexec_load, as asked (needs ~%llu MiB; "
		    "kexec_file_load ~%llu MiB)",
		    l, f),
		    pf->legacy = 1;
	else if (p->syscall == SYSCALL_FILE)
		add(pf, "syscall", KEXE_PASS, 0,
		    "kexec_file_load, as asked (needs ~%llu MiB; "
		    "kexec_load ~%llu MiB)",
		    f, l);
	else if (signed_only(h) || p->kernel.arch != KEXE_ARCH_X86_64)
		add(pf, "syscall", KEXE_PASS, 0, "kexec_file_load: %s",
		    signed_only(h)
			? "lockdown or secure boot allows only signed kernels, which only it loads"
			: "kexec_load is implemented for x86_64 only");
	else if (h->mem_available == 0 || have >= file)
		add(pf, "syscall", KEXE_PASS, 0,
		    "kexec_file_load: memory is ample (needs ~%llu "
		    "MiB; kexec_load ~%llu MiB)",
		    f, l);
	else if (have >= legacy)
		add(pf, "syscall", KEXE_PASS, 0,
		    "kexec_load: memory is short for kexec_file_load "
		    "(~%llu MiB) but enough for kexec_load (~%llu MiB); %llu MiB available",
		    f, l, (unsigned long long)(have / MIB)),
		    pf->legacy = 1;
	else
		add(pf, "syscall", KEXE_PASS, 0,
		    "kexec_file_load: not even kexec_load (~%llu MiB) "
		    "fits",
		    l);
}

static void check_memory(const struct kexe_host *h, const struct kexe_plan *p,
			 struct kexe_preflight *pf)
{
	uint64_t need =
	    pf->legacy ? kexe_memory_need_legacy(p->kernel_file, p->kernel.memory_size, p->initrd)
		       : kexe_memory_need(p->kernel_file, p->kernel.memory_size, p->initrd);
	uint64_t have = h->mem_available + p->released;
	unsigned long long need_mib = need / MIB, have_mib = have / MIB;

	if (h->mem_available == 0)
		add(pf, "memory", KEXE_WARN, 0,
		    "MemAvailable unknown (/proc/meminfo unreadable); loading needs about %llu MiB",
		    need_mib);
	else if (have < need && p->memory_check)
		add(pf, "memory", KEXE_FAIL, KEXE_EXIT_MEMORY,
		    "not enough memory: loading this %llu MiB payload needs about %llu MiB (our "
		    "copy, the kernel's read buffer and the loaded image), only %llu MiB are "
		    "available; free memory or use a host with more RAM",
		    (unsigned long long)((p->kernel_file + p->initrd) / MIB), need_mib, have_mib);
	else
		add(pf, "memory", have < need ? KEXE_WARN : KEXE_PASS, 0,
		    "needs about %llu MiB (%s x kernel file + kernel image %llu MiB + %s x initrd "
		    "+ 32 MiB), %llu MiB available%s",
		    need_mib, pf->legacy ? "1" : "2",
		    (unsigned long long)(p->kernel.memory_size / MIB), pf->legacy ? "2" : "3",
		    have_mib, p->released ? " counting the consumed bundle" : "");
}

void kexe_preflight_run(const struct kexe_host *h, const struct kexe_plan *p,
			struct kexe_preflight *out)
{
	out->count = 0;
	check_permission(h, out);
	check_signing(h, out);
	check_kernel(h, p, out);
	check_syscall(h, p, out);
	check_memory(h, p, out);
}

int kexe_preflight_verdict(const struct kexe_preflight *pf, struct kexe_err *err)
{
	for (unsigned i = 0; i < pf->count; i++)
		if (pf->verdicts[i].level == KEXE_FAIL)
			return kexe_fail(err, pf->verdicts[i].code, "%s", pf->verdicts[i].text);
	return 0;
}

void kexe_preflight_print(FILE *out, const struct kexe_preflight *pf)
{
	static const char *const level[] = {"pass", "WARN", "FAIL"};

	for (unsigned i = 0; i < pf->count; i++)
		fprintf(out, "%s  %-11s %s\n", level[pf->verdicts[i].level], pf->verdicts[i].check,
			pf->verdicts[i].text);
}
