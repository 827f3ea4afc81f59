/* The seam: every call by which the stub changes the running system, or reads the host state
 * that decides whether it may, goes through kexe_seam. The stub links seam_linux.c; host tests
 * link seam_fake.c, which records calls and returns scripted results, so no test can kexec or
 * reboot the machine it runs on. */
#ifndef KEXE_SEAM_H
#define KEXE_SEAM_H

#include <stddef.h>

/* kexec_file_load(2) flags (linux/kexec.h, which musl-gcc does not see) */
#define KEXE_KEXEC_FILE_UNLOAD 0x1
#define KEXE_KEXEC_FILE_NO_INITRAMFS 0x4

/* kexec_load(2) (the legacy syscall): flags for an x86_64 image, and one segment. */
#define KEXE_KEXEC_ARCH_X86_64 (62ul << 16)
#define KEXE_KEXEC_MAX_SEGMENTS 16

struct kexe_kexec_segment {
	const void *buf;
	size_t bufsz;
	unsigned long mem; /* physical address, page aligned */
	size_t memsz;	   /* page multiple, >= bufsz */
};

struct kexe_seam {
	/* kexec_file_load(2). initrd_fd is -1 with KEXE_KEXEC_FILE_NO_INITRAMFS. cmdline_len
	 * counts the terminating NUL. Returns 0, or -1 with errno set. */
	int (*kexec_file_load)(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
			       const char *cmdline, unsigned long flags);
	/* kexec_load(2): the kernel copies each segment's buffer and will start at entry (a
	 * physical address). Returns 0, or -1 with errno set. */
	int (*kexec_load)(unsigned long entry, unsigned long nr_segments,
			  const struct kexe_kexec_segment *segments, unsigned long flags);
	/* sync(2), then reboot(2) into the loaded kernel. Returns only on failure: -1, errno. */
	int (*reboot_kexec)(void);
	/* Runs `systemctl kexec` (systemd stops services, unmounts, then starts the loaded kernel)
	 * and waits for it. Returns its exit status, or -1 with errno when it could not run. */
	int (*systemctl_kexec)(void);
	/* mount(2) with MS_REMOUNT on target, read-only when readonly is non-zero. */
	int (*remount)(const char *target, int readonly);
	/* FIFREEZE (freeze non-zero) or FITHAW on the file system mounted at target, through a
	 * read-only fd of the directory. Freezing flushes the journal and leaves the file system
	 * clean on disk, and blocks its writers until it is thawed. Returns 0, or -1 with errno. */
	int (*freeze)(const char *target, int freeze);
	/* Appends one line to the kernel log (/dev/kmsg), where it survives a detached run. */
	void (*log_kernel)(const char *line);
	/* open(2) read-only of a host state file under /proc or /sys; -1 with errno. */
	int (*open_host)(const char *path);
	/* geteuid(2) */
	unsigned (*euid)(void);
	/* Opens the first hardware watchdog (/dev/watchdog0, else /dev/watchdog), which starts
	 * it, sets its timeout to seconds and pings it; copies its identity into identity. The
	 * descriptor stays open (O_CLOEXEC) until the reboot: drivers without magic close stop
	 * on close. Returns it, or -1 with errno (ENOENT: no watchdog; ENODEV: only softdog,
	 * which dies with this kernel). */
	int (*watchdog_arm)(int seconds, char *identity, size_t size);
	/* Stops a watchdog watchdog_arm started: the magic close ('V', then close). */
	void (*watchdog_disarm)(int fd);
};

extern const struct kexe_seam kexe_seam;

#endif
