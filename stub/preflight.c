#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
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
	return (h->lockdown[0] && strcmp(h->lockdown, "none")) || h->secure_boot == 1 ||
	       h->ima_kexec;
}

/* The ways to load, from the most usual to the leanest in memory. */
static const struct {
	int legacy, staged;
	const char *name;
} rungs[] = {{0, 0, "kexec_file_load from memfds"},
	     {0, 1, "kexec_file_load from files staged on disk"},
	     {1, 0, "kexec_load from memfds"},
	     {1, 1, "kexec_load from files staged on disk"}};

/* Why a rung cannot be used here, or NULL. */
static const char *ruled_out(const struct kexe_host *h, const struct kexe_plan *p, int legacy,
			     int staged)
{
	int locked = h->lockdown[0] && strcmp(h->lockdown, "none");

	if (staged && !p->stage_dir && !(legacy && p->mappable))
		return "no disk-backed directory to stage in";
	if (!staged && p->stage_forced)
		return "--stage-dir was given";
	if (legacy && p->syscall == SYSCALL_FILE)
		return "--syscall file was given";
	if (!legacy && p->syscall == SYSCALL_LEGACY)
		return "--syscall legacy was given";
	if (legacy && !kexe_arch_has_kexec_load(p->kernel.arch))
		return "kexec_load is implemented for x86_64 only";
	if (legacy && locked)
		return "kernel lockdown forbids kexec_load";
	if (legacy && h->ima_kexec)
		return "IMA appraises kexec kernels, which it can only do with kexec_file_load";
	if (legacy && signed_only(h) && p->syscall == SYSCALL_AUTO)
		return "secure boot allows only signed kernels, which only kexec_file_load checks";
	return NULL;
}

/* kexe_memory_need_for() and kexe_segments_size() of plan p. */
static uint64_t need_of(const struct kexe_plan *p, int legacy, int staged)
{
	return kexe_memory_need_for(p->kernel_file, p->kernel.memory_size, p->initrd, legacy,
				    staged);
}

static uint64_t segments_of(const struct kexe_plan *p, int legacy)
{
	return kexe_segments_size(p->kernel_file, p->kernel.memory_size, p->initrd, legacy);
}

/* Whether the kernel will take segments of this size at all (at most half of MemTotal). */
static int within_half(const struct kexe_host *h, const struct kexe_plan *p, int legacy)
{
	return h->mem_total == 0 || segments_of(p, legacy) <= h->mem_total / 2;
}

static void estimates(const struct kexe_host *h, const struct kexe_plan *p, struct kexe_verdict *v);

/* Picks the first usable rung that fits in memory, else the leanest usable one (and the memory
 * check then fails). */
static void check_syscall(const struct kexe_host *h, const struct kexe_plan *p,
			  struct kexe_preflight *pf)
{
	uint64_t have = h->mem_available + p->released;
	int chosen = -1, fits = 0;

	for (int i = 0; i < 4 && !fits; i++) {
		uint64_t need = need_of(p, rungs[i].legacy, rungs[i].staged);
		if (ruled_out(h, p, rungs[i].legacy, rungs[i].staged))
			continue;
		chosen = i;
		fits =
		    (h->mem_available == 0 || have >= need) && within_half(h, p, rungs[i].legacy);
	}
	if (chosen < 0) {
		add(pf, "syscall", KEXE_FAIL, KEXE_EXIT_USAGE,
		    "no way to load fits the options: %s",
		    ruled_out(h, p, p->syscall == SYSCALL_LEGACY, p->stage_forced));
		chosen = 0;
	}
	pf->legacy = rungs[chosen].legacy;
	pf->staged = rungs[chosen].staged;
	/* reading the initrd where it lies beats any copy of ours once kexec_load is chosen */
	pf->mapped = pf->legacy && p->mappable && !p->stage_forced;
	if (pf->mapped)
		pf->staged = 1;
	if (pf->count && pf->verdicts[pf->count - 1].level == KEXE_FAIL)
		return;
	add(pf, "syscall", KEXE_PASS, 0, "%s (needs ~%llu MiB%s)",
	    pf->mapped ? "kexec_load, the initrd read where it lies in the bundle"
		       : rungs[chosen].name,
	    (unsigned long long)(need_of(p, pf->legacy, pf->staged) / MIB),
	    p->syscall != SYSCALL_AUTO || p->stage_forced ? "; as asked"
	    : chosen	     ? "; memory is too short for the ways before it"
	    : signed_only(h) ? "; lockdown, secure boot or IMA: only it checks signatures"
			     : "; memory is ample");
	estimates(h, p, &pf->verdicts[pf->count - 1]);
}

/* Appends to v what each way would need, so a user sees what more RAM would buy. */
static void estimates(const struct kexe_host *h, const struct kexe_plan *p, struct kexe_verdict *v)
{
	static const char *const short_name[] = {"file_load/memfd", "file_load/staged",
						 "kexec_load/memfd",
						 "kexec_load/staged-or-in-place"};
	size_t n = strlen(v->text);

	n += (size_t)snprintf(v->text + n, sizeof v->text - n, "; estimates:");
	for (int i = 0; i < 4 && n < sizeof v->text; i++) {
		int legacy = rungs[i].legacy, staged = rungs[i].staged;
		const char *why = ruled_out(h, p, legacy, staged);
		n += (size_t)snprintf(v->text + n, sizeof v->text - n, " %s ~%llu%s", short_name[i],
				      (unsigned long long)(need_of(p, legacy, staged) / MIB),
				      why ? " (ruled out)" : "");
	}
	if (n < sizeof v->text && h->mem_total)
		snprintf(v->text + n, sizeof v->text - n,
			 " MiB; the kernel takes at most %llu MiB (half of MemTotal)",
			 (unsigned long long)(h->mem_total / 2 / MIB));
}

static void check_memory(const struct kexe_host *h, const struct kexe_plan *p,
			 struct kexe_preflight *pf)
{
	uint64_t need = need_of(p, pf->legacy, pf->staged);
	uint64_t have = h->mem_available + p->released;
	unsigned long long need_mib = need / MIB, have_mib = have / MIB;
	unsigned long long segments_mib = segments_of(p, pf->legacy) / MIB;

	if (!within_half(h, p, pf->legacy))
		add(pf, "memory", p->memory_check ? KEXE_FAIL : KEXE_WARN, KEXE_EXIT_MEMORY,
		    "not enough memory: the kernel loads at most half of its RAM, and this "
		    "payload takes %llu MiB with %s (MemTotal is %llu MiB, needs %llu); use a "
		    "host with more RAM or a smaller initrd",
		    segments_mib, pf->legacy ? "kexec_load" : "kexec_file_load",
		    (unsigned long long)(h->mem_total / MIB), 2 * segments_mib);
	else if (h->mem_available == 0)
		add(pf, "memory", KEXE_WARN, 0,
		    "MemAvailable unknown (/proc/meminfo unreadable); loading needs about %llu MiB",
		    need_mib);
	else if (have < need && p->memory_check)
		add(pf, "memory", KEXE_FAIL, KEXE_EXIT_MEMORY,
		    "not enough memory: loading this %llu MiB payload needs about %llu MiB (%s), "
		    "only %llu MiB are available; free memory or use a host with more RAM",
		    (unsigned long long)((p->kernel_file + p->initrd) / MIB), need_mib,
		    kexe_memory_need_text(pf->legacy, pf->staged), have_mib);
	else
		add(pf, "memory", have < need ? KEXE_WARN : KEXE_PASS, 0,
		    "needs about %llu MiB (%s; the image %llu MiB, +32 MiB), %llu MiB "
		    "available%s",
		    need_mib, kexe_memory_need_text(pf->legacy, pf->staged), segments_mib, have_mib,
		    p->released ? " counting the consumed bundle" : "");
}

static const char *stop_on_reboot_text(int v)
{
	return v == 1	 ? "1: stop"
	       : v == -1 ? "-1: each driver decides; i6300esb and iTCO_wdt stop theirs"
			 : "missing: this kernel predates it, each driver decides";
}

/* A nowayout watchdog ignores the magic close: the promise that a failed reboot leaves this
 * system running would be broken by a reset SECONDS later. */
static void nowayout(struct kexe_verdict *v)
{
	size_t n = strlen(v->text);

	v->level = KEXE_WARN;
	snprintf(v->text + n, sizeof v->text - n,
		 "; it has nowayout: once armed nothing stops it, so even a failed reboot ends in "
		 "a reset");
}

/* What covers a failed jump here: a hardware watchdog that runs on through the kexec covers a
 * hang and a panic, panic=N alone only a panic. Read from sysfs (host.c): opening the device
 * to look would start the watchdog. */
static void check_fallback(const struct kexe_host *h, const struct kexe_plan *p,
			   struct kexe_preflight *pf)
{
	int soft = h->watchdog[0] && !kexe_host_hw_watchdog(h), n = p->fallback;

	if (!n)
		add(pf, "fallback", KEXE_PASS, 0,
		    "off: a jump that fails leaves this host down until someone resets it; "
		    "--fallback SECONDS %s",
		    kexe_host_hw_watchdog(h) ? "would arm the hardware watchdog"
					     : "would reset a panic of the new kernel, not a hang "
					       "(no hardware watchdog)");
	else if (!h->watchdog[0] || soft)
		add(pf, "fallback", KEXE_WARN, 0,
		    "%s: panic=%d resets a new kernel that panics, but a hang is not covered; "
		    "see docs/FALLBACK.md",
		    soft ? "the only watchdog is softdog, which ends with this kernel"
			 : "no hardware watchdog (/sys/class/watchdog has none)",
		    n);
	else if (h->watchdog_stop_on_reboot != 0)
		add(pf, "fallback", KEXE_WARN, 0,
		    "watchdog %s is armed for %d s, but this kernel stops it at the kexec "
		    "(watchdog.stop_on_reboot %s): panic=%d covers a panic, a hang is not "
		    "covered; boot this host with watchdog.stop_on_reboot=0 (or reload the "
		    "watchdog module with stop_on_reboot=0)",
		    h->watchdog, n, stop_on_reboot_text(h->watchdog_stop_on_reboot), n);
	else
		add(pf, "fallback", KEXE_PASS, 0,
		    "watchdog %s is armed for %d s just before the jump and runs on through it "
		    "(watchdog.stop_on_reboot=0): a new system that does not take it over is "
		    "reset into this one; panic=%d covers a panic",
		    h->watchdog, n, n);
	if (n && kexe_host_hw_watchdog(h) && h->watchdog_nowayout)
		nowayout(&pf->verdicts[pf->count - 1]);
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
	check_fallback(h, p, out);
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
