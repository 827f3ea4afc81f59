/* The detached run's log (kexe_detach_open_log): a name someone else could plant (a link, a
 * FIFO, a hard link, a file of another user) is never followed, waited on or appended to. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detach.h"
#include "test.h"

static const char *in_dir(const char *name)
{
	static char dir[64], path[128];

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/kexe-unit-detach.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static int has(const char *path, const char *text)
{
	char buf[64] = {0};
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = 0;
	fclose(f);
	return !strcmp(buf, text);
}

/* Opens path in a child that an alarm ends after 2 s: 1 when it was opened, 0 when refused, 2
 * when the open blocked (so a regression fails here instead of hanging the run). */
static int opens(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(2);
		_exit(kexe_detach_open_log(path) >= 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 2 : WEXITSTATUS(status);
}

TEST(detach_log_is_created_private_and_appended)
{
	const char *path = in_dir("new.log");
	struct stat st;
	int fd = kexe_detach_open_log(path);

	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK(fcntl(fd, F_GETFL) & O_APPEND);
	CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(write(fd, "a\n", 2) == 2);
	close(fd);
	fd = kexe_detach_open_log(path);
	CHECK(fd >= 0 && write(fd, "b\n", 2) == 2);
	close(fd);
	CHECK(has(path, "a\n"));
	unlink(path);
}

TEST(detach_log_refuses_links)
{
	char victim[128], sym[128];

	snprintf(victim, sizeof victim, "%s", in_dir("victim"));
	snprintf(sym, sizeof sym, "%s", in_dir("link.log"));
	put(victim, "keep\n");
	CHECK(symlink(victim, sym) == 0);
	CHECK(opens(sym) == 0);
	CHECK(has(victim, "keep\n"));
	unlink(sym);
	/* a dangling link would have created its target */
	CHECK(symlink(in_dir("created-by-root"), sym) == 0);
	CHECK(opens(sym) == 0);
	CHECK(access(in_dir("created-by-root"), F_OK) != 0);
	unlink(sym);
	/* a hard link to a file elsewhere is a regular file of the same owner */
	CHECK(link(victim, in_dir("hard.log")) == 0);
	CHECK(opens(in_dir("hard.log")) == 0);
	CHECK(has(victim, "keep\n"));
	unlink(in_dir("hard.log"));
	unlink(victim);
}

TEST(detach_log_refuses_fifos_without_blocking)
{
	char fifo[128];
	int reader;

	snprintf(fifo, sizeof fifo, "%s", in_dir("fifo.log"));
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(opens(fifo) == 0); /* no reader: a blocking open would wait for ever */
	reader = open(fifo, O_RDONLY | O_NONBLOCK);
	CHECK(reader >= 0);
	CHECK(opens(fifo) == 0); /* a reader: the open succeeds, the FIFO is still refused */
	close(reader);
	unlink(fifo);
	CHECK(opens("/tmp") == 0);
}

TEST(detach_log_refuses_a_file_of_another_user)
{
	char path[128];

	if (geteuid() != 0) {
		printf("  (skipped: needs root to give a file away)\n");
		return;
	}
	snprintf(path, sizeof path, "%s", in_dir("theirs.log"));
	put(path, "theirs\n");
	CHECK(chown(path, 65534, 65534) == 0);
	CHECK(opens(path) == 0);
	CHECK(has(path, "theirs\n"));
	unlink(path);
}
