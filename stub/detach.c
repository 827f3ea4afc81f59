#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "detach.h"
#include "seam.h"

int kexe_should_detach(void)
{
	return isatty(STDIN_FILENO) || getenv("SSH_CONNECTION") || getenv("SSH_TTY");
}

int kexe_detach_open_log(const char *path)
{
	struct stat st;
	int fd = open(
	    path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	    0600);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1 ||
	    fcntl(fd, F_SETFL, O_APPEND) < 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* The log, or /dev/null with a line in the kernel log saying why. */
static int open_log(const char *path)
{
	char line[600];
	int fd = kexe_detach_open_log(path);

	if (fd >= 0)
		return fd;
	snprintf(line, sizeof line,
		 "kexe: not logging to %s (%s; it must be a regular file of root's with one "
		 "link); messages of this run are in the kernel log only\n",
		 path, strerror(errno));
	kexe_seam.log_kernel(line);
	return open("/dev/null", O_WRONLY | O_CLOEXEC);
}

static void redirect(const char *path)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open_log(path);

	if (in >= 0)
		dup2(in, STDIN_FILENO);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	if (in > STDERR_FILENO)
		close(in);
	if (out > STDERR_FILENO)
		close(out);
}

/* The child needs stdin, stdout and stderr only. Anything else it inherited (the bundle, open
 * read-write under --consume; the loader's memfd; a caller's descriptors) would stay open
 * through the delay, and a file open for writing makes the read-only remount fail (EBUSY). */
static void close_inherited(void)
{
	long max;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

void kexe_detach_sleep(int seconds)
{
	struct timespec left = {.tv_sec = seconds};

	while (nanosleep(&left, &left) && errno == EINTR)
		;
}

int kexe_detach(const char *path, struct kexe_err *err)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return kexe_fail(err, KEXE_EXIT_REBOOT,
				 "cannot detach (fork: %s); rerun with --foreground",
				 strerror(errno));
	if (pid > 0)
		return 1;
	setsid();
	signal(SIGHUP, SIG_IGN);
	redirect(path);
	close_inherited();
	return 0;
}

void kexe_detach_note(const char *msg)
{
	char line[600];

	snprintf(line, sizeof line, "kexe: %s\n", msg);
	kexe_seam.log_kernel(line);
	if (fputs(line, stderr) == EOF || fflush(stderr) == EOF)
		clearerr(stderr); /* a closed stderr: the kernel log has the line */
}
