#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"
#include "seam.h"

/* linux/fs.h, which musl-gcc does not see */
#ifndef FIFREEZE
#define FIFREEZE _IOWR('X', 119, int)
#define FITHAW _IOWR('X', 120, int)
#endif

/* linux/watchdog.h, likewise */
struct kexe_watchdog_info {
	unsigned options, firmware_version;
	unsigned char identity[32];
};
#define KEXE_WDIOC_GETSUPPORT _IOR('W', 0, struct kexe_watchdog_info)
#define KEXE_WDIOC_KEEPALIVE _IOR('W', 5, int)
#define KEXE_WDIOC_SETTIMEOUT _IOWR('W', 6, int)

static int linux_kexec_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				 const char *cmdline, unsigned long flags)
{
	return (int)syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
}

static int linux_kexec_load(unsigned long entry, unsigned long nr_segments,
			    const struct kexe_kexec_segment *segments, unsigned long flags)
{
	return (int)syscall(SYS_kexec_load, entry, nr_segments, segments, flags);
}

static int linux_reboot_kexec(void)
{
	sync();
	return reboot(RB_KEXEC);
}

static int linux_systemctl_kexec(void)
{
	char *const argv[] = {"systemctl", "kexec", NULL};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int linux_remount(const char *target, int readonly)
{
	return mount(NULL, target, NULL, MS_REMOUNT | (readonly ? MS_RDONLY : 0), NULL);
}

static int linux_freeze(const char *target, int freeze)
{
	int fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, e;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, freeze ? FIFREEZE : FITHAW, 0);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static void linux_log_kernel(const char *line)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0) {
		/* nothing to do: the line also went to stderr */
	}
	close(fd);
}

static int linux_open_host(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void linux_watchdog_disarm(int fd)
{
	if (fd < 0)
		return;
	if (write(fd, "V", 1) != 1) {
		/* nothing more to try: a nowayout watchdog cannot be stopped at all */
	}
	close(fd);
}

/* Opening starts the watchdog. The magic close is kept for a failure: after the reboot the
 * descriptor simply ends with this kernel and the watchdog goes on counting. */
static int linux_watchdog_arm(int seconds, char *identity, size_t size)
{
	struct kexe_watchdog_info info = {0};
	int fd = open("/dev/watchdog0", O_WRONLY | O_CLOEXEC), e, t = seconds;

	if (fd < 0 && errno == ENOENT)
		fd = open("/dev/watchdog", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, KEXE_WDIOC_GETSUPPORT, &info) == 0)
		snprintf(identity, size, "%.32s", (const char *)info.identity);
	else
		snprintf(identity, size, "unknown");
	if (!strcmp(identity, KEXE_SOFTDOG)) {
		linux_watchdog_disarm(fd); /* a timer in this kernel: gone with the jump */
		errno = ENODEV;
		return -1;
	}
	if (ioctl(fd, KEXE_WDIOC_SETTIMEOUT, &t) < 0 || ioctl(fd, KEXE_WDIOC_KEEPALIVE, 0) < 0) {
		e = errno;
		linux_watchdog_disarm(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static unsigned linux_euid(void)
{
	return geteuid();
}

const struct kexe_seam kexe_seam = {
    .kexec_file_load = linux_kexec_file_load,
    .kexec_load = linux_kexec_load,
    .reboot_kexec = linux_reboot_kexec,
    .systemctl_kexec = linux_systemctl_kexec,
    .remount = linux_remount,
    .freeze = linux_freeze,
    .log_kernel = linux_log_kernel,
    .open_host = linux_open_host,
    .euid = linux_euid,
    .watchdog_arm = linux_watchdog_arm,
    .watchdog_disarm = linux_watchdog_disarm,
};
