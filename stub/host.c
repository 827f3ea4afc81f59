#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "seam.h"

#define MIB (1024 * 1024)
#define SLACK (32ull * MIB)
#define EFI_SECURE_BOOT "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

/* Reads up to size-1 bytes of a host file into buf; returns bytes read or -1. */
static long read_host(const char *path, char *buf, size_t size)
{
	int fd = kexe_seam.open_host(path);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static int host_exists(const char *path)
{
	int fd = kexe_seam.open_host(path);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static uint64_t meminfo_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	unsigned long long kib;

	if (!p || sscanf(p + strlen(name), " %llu", &kib) != 1)
		return 0;
	return (uint64_t)kib * 1024;
}

/* The active lockdown mode is the bracketed word: "none [integrity] confidentiality". */
static void read_lockdown(struct kexe_host *h)
{
	char buf[4096], *open, *close_;

	if (read_host("/sys/kernel/security/lockdown", buf, sizeof buf) <= 0) {
		/* securityfs is often not mounted on minimal systems: the boot option still
		 * tells (secure boot can also turn lockdown on, which this does not see) */
		if (read_host("/proc/cmdline", buf, sizeof buf) <= 0)
			return;
		if (strstr(buf, "lockdown=confidentiality"))
			snprintf(h->lockdown, sizeof h->lockdown, "confidentiality");
		else if (strstr(buf, "lockdown=integrity"))
			snprintf(h->lockdown, sizeof h->lockdown, "integrity");
		return;
	}
	open = strchr(buf, '[');
	close_ = open ? strchr(open, ']') : NULL;
	if (close_ && (size_t)(close_ - open - 1) < sizeof h->lockdown)
		snprintf(h->lockdown, sizeof h->lockdown, "%.*s", (int)(close_ - open - 1),
			 open + 1);
}

/* The signals systemd-detect-virt --container uses that need no tools. */
static void detect_container(struct kexe_host *h)
{
	static const char *const cgroup_kinds[] = {"docker", "lxc", "kubepods", "libpod"};
	char buf[4096];

	if (host_exists("/.dockerenv")) {
		snprintf(h->container, sizeof h->container, "docker");
		return;
	}
	if (host_exists("/run/.containerenv")) {
		snprintf(h->container, sizeof h->container, "podman");
		return;
	}
	if (read_host("/run/systemd/container", buf, sizeof buf) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		snprintf(h->container, sizeof h->container, "%.31s", buf);
		return;
	}
	if (read_host("/proc/1/cgroup", buf, sizeof buf) > 0)
		for (size_t i = 0; i < sizeof cgroup_kinds / sizeof *cgroup_kinds; i++)
			if (strstr(buf, cgroup_kinds[i])) {
				snprintf(h->container, sizeof h->container, "%s", cgroup_kinds[i]);
				return;
			}
}

/* EFI variable files start with 4 bytes of attributes; the value follows. */
static void read_secure_boot(struct kexe_host *h)
{
	char buf[16];

	h->secure_boot = -1;
	if (read_host(EFI_SECURE_BOOT, buf, sizeof buf) >= 5)
		h->secure_boot = buf[4] == 1;
	else if (!host_exists("/sys/firmware/efi") && host_exists("/sys/firmware"))
		h->secure_boot = 0;
}

/* IMA refuses kexec_load when its policy appraises kexec kernels (a rule "appraise
 * func=KEXEC_KERNEL_CHECK", which the built-in secure_boot policy has): it cannot appraise a
 * kernel that has no file. The policy is readable when the kernel allows it; the boot option
 * tells otherwise. */
static void read_ima(struct kexe_host *h)
{
	char buf[16384], *line;

	if (read_host("/sys/kernel/security/ima/policy", buf, sizeof buf) > 0) {
		for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			if (!strncmp(line, "appraise ", 9) &&
			    strstr(line, "func=KEXEC_KERNEL_CHECK"))
				h->ima_kexec = 1;
		return;
	}
	if (read_host("/proc/cmdline", buf, sizeof buf) > 0 && strstr(buf, "ima_policy=") &&
	    strstr(buf, "secure_boot") && !strstr(buf, "ima_appraise=off"))
		h->ima_kexec = 1;
}

/* The kernel drops the la57 flag when it does not use 5-level paging itself. */
static void read_paging(struct kexe_host *h)
{
	char buf[16384], *flags;

	if (read_host("/proc/cpuinfo", buf, sizeof buf) <= 0)
		return;
	flags = strstr(buf, "\nflags");
	if (!flags)
		return;
	flags[strcspn(flags + 1, "\n") + 1] = 0;
	h->five_level = strstr(flags, " la57") != NULL;
}

/* Read from sysfs only: opening /dev/watchdog* would start the watchdog. */
static void read_watchdog(struct kexe_host *h)
{
	char buf[64];

	h->watchdog_stop_on_reboot = -2;
	if (read_host("/sys/module/watchdog/parameters/stop_on_reboot", buf, sizeof buf) > 0)
		h->watchdog_stop_on_reboot = atoi(buf);
	if (read_host("/sys/class/watchdog/watchdog0/identity", buf, sizeof buf) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		snprintf(h->watchdog, sizeof h->watchdog, "%.31s", buf[0] ? buf : "unknown");
		if (read_host("/sys/class/watchdog/watchdog0/nowayout", buf, sizeof buf) > 0)
			h->watchdog_nowayout = buf[0] == '1';
	} else if (host_exists("/sys/class/watchdog/watchdog0")) {
		snprintf(h->watchdog, sizeof h->watchdog, "unknown"); /* no WATCHDOG_SYSFS */
	}
}

int kexe_host_hw_watchdog(const struct kexe_host *h)
{
	return h->watchdog[0] && strcmp(h->watchdog, KEXE_SOFTDOG);
}

void kexe_host_probe(struct kexe_host *h)
{
	char buf[8192];

	memset(h, 0, sizeof *h);
	h->root = kexe_seam.euid() == 0;
	if (read_host("/proc/sys/kernel/kexec_load_disabled", buf, sizeof buf) > 0)
		h->kexec_disabled = buf[0] == '1';
	read_lockdown(h);
	detect_container(h);
	if (read_host("/proc/1/comm", buf, sizeof buf) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		snprintf(h->pid1, sizeof h->pid1, "%.31s", buf);
	}
	read_secure_boot(h);
	read_ima(h);
	read_paging(h);
	read_watchdog(h);
	if (read_host("/proc/meminfo", buf, sizeof buf) > 0) {
		h->mem_available = meminfo_field(buf, "MemAvailable:");
		h->mem_total = meminfo_field(buf, "MemTotal:");
	}
}

uint64_t kexe_segments_size(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd,
			    int legacy)
{
	return (legacy ? kernel_file : kernel_memory) + initrd + MIB;
}

uint64_t kexe_memory_need_for(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd,
			      int legacy, int staged)
{
	uint64_t copy = kernel_file + initrd;

	return (legacy ? 0 : copy) + (staged ? 0 : copy) +
	       kexe_segments_size(kernel_file, kernel_memory, initrd, legacy) + SLACK;
}

uint64_t kexe_memory_need(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd)
{
	return kexe_memory_need_for(kernel_file, kernel_memory, initrd, 0, 0);
}

uint64_t kexe_memory_need_legacy(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd)
{
	return kexe_memory_need_for(kernel_file, kernel_memory, initrd, 1, 0);
}

const char *kexe_memory_need_text(int legacy, int staged)
{
	static const char *const text[2][2] = {
	    {"our copy, the kernel's read buffer and the loaded image",
	     "the kernel's read buffer and the loaded image; our copy is on disk"},
	    {"our copy and the loaded image",
	     "the loaded image; our copy is on disk or is the bundle itself"}};

	return text[!!legacy][!!staged];
}
