/* Progress lines (lib/progress.c): drawn on stderr only when it is a terminal (a pty here),
 * with bytes, rate and time left, ended by a "done in" line; nothing at all into a pipe; the
 * observer (--json) hears the end whether or not stderr is a terminal. tests/interop checks
 * the same through `script` on the real binaries. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "test.h"

#define MIB (1024u * 1024u)

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* Runs a job of 8 MiB with pauses (longer than the 200 ms between redraws) with stderr on
 * fd; returns what was written to read_fd. */
static char *job_output(int fd, int read_fd)
{
	static char out[8192];
	struct kexe_progress p;
	int saved = dup(2);
	ssize_t n;

	fflush(stderr);
	dup2(fd, 2);
	kexe_progress_start(&p, "unpacking", 8 * MIB);
	kexe_progress_add(&p, 2 * MIB);
	sleep_ms(250);
	kexe_progress_add(&p, 2 * MIB);
	sleep_ms(250);
	kexe_progress_add(&p, 4 * MIB + 100); /* a little past total, as a bundle's last sections */
	kexe_progress_end(&p);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fcntl(read_fd, F_SETFL, O_NONBLOCK);
	for (size_t got = 0;; got += (size_t)n) {
		n = read(read_fd, out + got, sizeof out - 1 - got);
		if (n <= 0) {
			out[got] = 0;
			return out;
		}
	}
}

TEST(progress_draws_on_a_terminal)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
	char *out;

	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0);
	out = job_output(slave, master);
	CHECK(strstr(out, "\rkexe: unpacking 4/8 MiB ( 50%) "));
	CHECK(strstr(out, " MiB/s, "));
	CHECK(strstr(out, " s left"));
	CHECK(strstr(out, "\rkexe: unpacking 8/8 MiB (100%) "));
	CHECK(strstr(out, ", done in ") && atof(strstr(out, ", done in ") + 10) >= 0.5);
	CHECK(!strstr(out, "(101%)"));
	CHECK(out[strlen(out) - 1] == '\n'); /* the pty turns it into \r\n */
	close(slave);
	close(master);
}

TEST(progress_is_silent_into_a_pipe)
{
	int fds[2];
	char *out;

	CHECK(pipe(fds) == 0);
	out = job_output(fds[1], fds[0]);
	CHECK(out[0] == 0);
	close(fds[0]);
	close(fds[1]);
}

static unsigned observed, finals;
static uint64_t observed_done;

static void observe(const struct kexe_progress *p, int final)
{
	observed++;
	finals += final;
	observed_done = p->done;
}

TEST(progress_observer_hears_the_end_without_a_terminal)
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	observed = finals = 0;
	kexe_progress_observer = observe;
	job_output(fds[1], fds[0]); /* 0.5 s: no update yet, one at the end */
	kexe_progress_observer = NULL;
	CHECK(observed == 1 && finals == 1 && observed_done == 8 * MIB + 100);
	close(fds[0]);
	close(fds[1]);
}
