/* The test seam. Behaviour comes from the environment so shell tests and in-process unit tests
 * drive it alike:
 *   KEXE_FAKE_LOAD_ERRNO    kexec_file_load and kexec_load fail with this errno number
 *   KEXE_FAKE_FILE_LOAD_ERRNO  only kexec_file_load fails with this errno number (kexec_load
 *                           then succeeds unless KEXE_FAKE_LOAD_ERRNO is set): a kernel that
 *                           refuses the file but takes the segments; 0 is as if unset
 *   KEXE_FAKE_REBOOT_ERRNO  reboot fails with this errno number (default: "succeeds", returns 0)
 *   KEXE_FAKE_SYSTEMCTL     exit status `systemctl kexec` returns (default 0)
 *   KEXE_FAKE_REMOUNT_ERRNO remounting read-only fails with this errno number (back to
 *                           read-write always succeeds)
 *   KEXE_FAKE_FREEZE_ERRNO  freezing fails with this errno number (thawing always succeeds)
 *   KEXE_FAKE_ROOT          host files are opened under this directory instead of /
 *   KEXE_FAKE_EUID          effective uid to report (default 0)
 *   KEXE_FAKE_LOG           append one line per call to this file
 *   KEXE_FAKE_DUMP          copy the loaded kernel, initrd and cmdline into this directory
 *   KEXE_FAKE_WATCHDOG      identity of the hardware watchdog to arm; unset or "none": there
 *                           is none (ENOENT), "softdog": only softdog (ENODEV)
 *   KEXE_FAKE_WATCHDOG_ERRNO  arming the watchdog fails with this errno number
 * kexe_fake_loads and kexe_fake_reboots count calls for in-process tests. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seam.h"

unsigned kexe_fake_loads, kexe_fake_reboots;

static int env_int(const char *name, int fallback)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : fallback;
}

static __attribute__((format(printf, 1, 2))) void log_line(const char *fmt, ...)
{
	const char *path = getenv("KEXE_FAKE_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static unsigned long long fd_size(int fd)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/* Where fd's data lives, as /proc names it ("/memfd:kernel (deleted)", "/var/tmp/#12 (deleted)"),
 * so tests can tell memfds from staged files; "-" without /proc. */
static const char *fd_target(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = fd >= 0 ? readlink(link, buf, size - 1) : -1;
	if (n < 0)
		return "-";
	buf[n] = 0;
	return buf;
}

static void dump(int fd, const char *name, const char *data, size_t len)
{
	const char *dir = getenv("KEXE_FAKE_DUMP");
	char path[4096], buf[65536];
	ssize_t n;
	off_t off = 0;
	int out;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		return;
	if (data && write(out, data, len) != (ssize_t)len)
		perror("fake seam dump");
	while (!data && fd >= 0 && (n = pread(fd, buf, sizeof buf, off)) > 0) {
		if (write(out, buf, (size_t)n) != n)
			perror("fake seam dump");
		off += n;
	}
	close(out);
}

static int fake_kexec_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				const char *cmdline, unsigned long flags)
{
	int e = env_int("KEXE_FAKE_FILE_LOAD_ERRNO", 0);
	char kernel_at[4096], initrd_at[4096];

	if (flags & KEXE_KEXEC_FILE_UNLOAD) {
		log_line("kexec_file_load unload\n");
		return 0;
	}
	if (!e) /* 0 or unset: as KEXE_FAKE_LOAD_ERRNO says */
		e = env_int("KEXE_FAKE_LOAD_ERRNO", 0);
	kexe_fake_loads++;
	log_line("kexec_file_load kernel=%llu initrd=%llu flags=%lu cmdline_len=%lu\n",
		 fd_size(kernel_fd), fd_size(initrd_fd), flags, cmdline_len);
	log_line("kexec_file_load files kernel=%s initrd=%s\n",
		 fd_target(kernel_fd, kernel_at, sizeof kernel_at),
		 fd_target(initrd_fd, initrd_at, sizeof initrd_at));
	dump(kernel_fd, "kernel", NULL, 0);
	dump(initrd_fd, "initrd", NULL, 0);
	dump(-1, "cmdline", cmdline, cmdline_len ? cmdline_len - 1 : 0);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Logs each segment and dumps them as segment-N so tests can check what would be loaded. */
static int fake_kexec_load(unsigned long entry, unsigned long nr_segments,
			   const struct kexe_kexec_segment *segments, unsigned long flags)
{
	int e = env_int("KEXE_FAKE_LOAD_ERRNO", 0);
	char name[32];

	kexe_fake_loads++;
	log_line("kexec_load entry=%#lx segments=%lu flags=%#lx\n", entry, nr_segments, flags);
	for (unsigned long i = 0; i < nr_segments; i++) {
		log_line("segment %lu mem=%#lx memsz=%#zx bufsz=%#zx\n", i, segments[i].mem,
			 segments[i].memsz, segments[i].bufsz);
		snprintf(name, sizeof name, "segment-%lu", i);
		dump(-1, name, segments[i].buf, segments[i].bufsz);
	}
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

static int fake_reboot_kexec(void)
{
	int e = env_int("KEXE_FAKE_REBOOT_ERRNO", 0);

	kexe_fake_reboots++;
	log_line("reboot\n");
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

static int fake_systemctl_kexec(void)
{
	kexe_fake_reboots++;
	log_line("systemctl kexec\n");
	return env_int("KEXE_FAKE_SYSTEMCTL", 0);
}

static int fake_remount(const char *target, int readonly)
{
	int e = readonly ? env_int("KEXE_FAKE_REMOUNT_ERRNO", 0) : 0;

	log_line("remount %s %s%s\n", target, readonly ? "ro" : "rw", e ? " failed" : "");
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

static int fake_freeze(const char *target, int freeze)
{
	int e = freeze ? env_int("KEXE_FAKE_FREEZE_ERRNO", 0) : 0;

	log_line("%s %s%s\n", freeze ? "freeze" : "thaw", target, e ? " failed" : "");
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

static void fake_log_kernel(const char *line)
{
	log_line("kmsg %.*s\n", (int)strcspn(line, "\n"), line);
}

static int fake_open_host(const char *path)
{
	const char *root = getenv("KEXE_FAKE_ROOT");
	char full[4096];

	if (!root || !*root)
		return open(path, O_RDONLY | O_CLOEXEC);
	snprintf(full, sizeof full, "%s%s", root, path);
	return open(full, O_RDONLY | O_CLOEXEC);
}

static unsigned fake_euid(void)
{
	return (unsigned)env_int("KEXE_FAKE_EUID", 0);
}

static int fake_watchdog_arm(int seconds, char *identity, size_t size)
{
	const char *id = getenv("KEXE_FAKE_WATCHDOG");
	int e = env_int("KEXE_FAKE_WATCHDOG_ERRNO", 0);

	log_line("watchdog arm %d\n", seconds);
	if (!id || !*id || !strcmp(id, "none"))
		e = ENOENT;
	else if (!strcmp(id, "softdog"))
		e = ENODEV;
	if (e) {
		errno = e;
		return -1;
	}
	snprintf(identity, size, "%s", id);
	return open("/dev/null", O_WRONLY | O_CLOEXEC);
}

static void fake_watchdog_disarm(int fd)
{
	log_line("watchdog disarm\n");
	if (fd >= 0)
		close(fd);
}

const struct kexe_seam kexe_seam = {
    .kexec_file_load = fake_kexec_file_load,
    .kexec_load = fake_kexec_load,
    .reboot_kexec = fake_reboot_kexec,
    .systemctl_kexec = fake_systemctl_kexec,
    .remount = fake_remount,
    .freeze = fake_freeze,
    .log_kernel = fake_log_kernel,
    .open_host = fake_open_host,
    .euid = fake_euid,
    .watchdog_arm = fake_watchdog_arm,
    .watchdog_disarm = fake_watchdog_disarm,
};
