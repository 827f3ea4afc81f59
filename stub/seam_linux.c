#include <fcntl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seam.h"

static int linux_kexec_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				 const char *cmdline, unsigned long flags)
{
	return (int)syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
}

static int linux_reboot_kexec(void)
{
	sync();
	return reboot(RB_KEXEC);
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
    .reboot_kexec = linux_reboot_kexec,
    .open_host = linux_open_host,
    .euid = linux_euid,
};
