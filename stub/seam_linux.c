#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seam.h"

/* linux/fs.h, which musl-gcc does not see */
#ifndef FIFREEZE
#define FIFREEZE _IOWR('X', 119, int)
#define FITHAW _IOWR('X', 120, int)
#endif

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
};
