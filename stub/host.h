/* What the running host is and allows, read once through the seam before anything is
 * decompressed. A fact that cannot be read keeps its "unknown" value. */
#ifndef KEXE_HOST_H
#define KEXE_HOST_H

#include <stdint.h>

struct kexe_host {
	int root;		/* effective uid 0 */
	int kexec_disabled;	/* kernel.kexec_load_disabled = 1 */
	char lockdown[24];	/* "none", "integrity", "confidentiality"; "" when unknown */
	char container[32];	/* container kind when detected, else "" */
	char pid1[32];		/* name of pid 1 (/proc/1/comm), "" when unknown */
	int secure_boot;	/* 1 on, 0 off (or booted without EFI), -1 unknown */
	int five_level;		/* x86: the host runs with 5-level paging */
	int ima_kexec;		/* IMA appraises kexec kernels: kexec_load is refused (EACCES) */
	uint64_t mem_available; /* MemAvailable in bytes; 0 when /proc/meminfo is unreadable */
	uint64_t mem_total;
	char watchdog[32];	     /* identity of the first watchdog (watchdog0), "" when none */
	int watchdog_nowayout;	     /* it cannot be stopped once started (sysfs nowayout) */
	int watchdog_stop_on_reboot; /* watchdog.stop_on_reboot: 0 keep running, 1 stop, -1 each
				      * driver decides, -2 no such parameter (before Linux 5.13?) */
};

/* softdog's identity: a timer inside the running kernel, which a kexec ends. */
#define KEXE_SOFTDOG "Software Watchdog"

/* Non-zero when h has a watchdog that is hardware (not softdog). */
int kexe_host_hw_watchdog(const struct kexe_host *h);

/* Reads the host facts above from /proc and /sys (through kexe_seam.open_host). */
void kexe_host_probe(struct kexe_host *h);

/* Bytes of RAM loading needs at its peak: the loaded image (kexe_segments_size()), plus the
 * kernel's read buffers (kernel file and initrd) with kexec_file_load (legacy 0), plus our own copy
 * unless it is staged on disk (staged 1), plus 32 MiB for the kernel's own structures. */
uint64_t kexe_memory_need_for(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd,
			      int legacy, int staged);

/* Bytes of the segments the kernel is asked to hold: the kernel's (all of kernel_memory, its
 * init_size, with kexec_file_load; only its file bytes with our kexec_load), the initrd, and
 * 1 MiB for boot parameters, command line and purgatory. The kernel refuses (EINVAL) segments
 * that add up to more than half of its RAM (MemTotal). */
uint64_t kexe_segments_size(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd,
			    int legacy);

/* The usual cases of that: kexec_file_load and kexec_load, from memfds. */
uint64_t kexe_memory_need(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd);
uint64_t kexe_memory_need_legacy(uint64_t kernel_file, uint64_t kernel_memory, uint64_t initrd);

/* The copies that formula counts, for messages: "our copy, the kernel's read buffer and the
 * loaded image", ... */
const char *kexe_memory_need_text(int legacy, int staged);

#endif
