#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detach.h"
#include "seam.h"

int kexe_should_detach(void)
{
	return isatty(STDIN_FILENO) || getenv("SSH_CONNECTION") || getenv("SSH_TTY");
}

static void redirect(void)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(KEXE_DETACH_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (out < 0)
		out =
		    open(KEXE_DETACH_LOG_FALLBACK, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (out < 0)
		out = open("/dev/null", O_WRONLY | O_CLOEXEC);
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

static void sleep_seconds(int seconds)
{
	struct timespec left = {.tv_sec = seconds};

	while (nanosleep(&left, &left) && errno == EINTR)
		;
}

int kexe_detach(int delay, struct kexe_err *err)
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
	redirect();
	sleep_seconds(delay);
	return 0;
}

void kexe_detach_note(const char *msg)
{
	char line[600];

	snprintf(line, sizeof line, "kexe: %s\n", msg);
	kexe_seam.log_kernel(line);
	fputs(line, stderr);
	fflush(stderr);
}
