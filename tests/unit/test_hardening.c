#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mapout.h"
#include "stage.h"
#include "test.h"

#define SKIPPED 77

/* Runs fn in a child process with a private 1 MiB tmpfs mounted on a new directory; returns
 * fn's result, SKIPPED when mounting is not permitted, or 128 + the signal that killed it (a
 * SIGBUS from writing through a mapping of a full file system). */
static int in_small_tmpfs(int (*fn)(const char *dir))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char dir[] = "/tmp/kexe-unit-full.XXXXXX";
		int rc = SKIPPED;
		if (!mkdtemp(dir))
			_exit(SKIPPED);
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		    mount("tmpfs", dir, "tmpfs", 0, "size=1m") == 0) {
			rc = fn(dir);
			umount(dir);
		}
		rmdir(dir);
		_exit(rc);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Maps size bytes of fd for output and fills them; 0 when that worked, 1 when it was refused
 * with exit 7 and the full-disk message, 2 for any other outcome. */
static int fill(int fd, uint64_t size)
{
	struct kexe_err err = {0};
	unsigned char *map;

	if (fd < 0)
		return 2;
	if (kexe_map_output(fd, size, &map, &err)) {
		close(fd);
		return err.code == KEXE_EXIT_IO && strstr(err.msg, "no room") ? 1 : 2;
	}
	memset(map, 0xa5, (size_t)size);
	kexe_unmap_output(map, size);
	close(fd);
	return 0;
}

static int fill_small_fs(const char *dir)
{
	char a[64], b[64];
	struct kexe_err err;

	snprintf(a, sizeof a, "%s/fits", dir);
	snprintf(b, sizeof b, "%s/too-big", dir);
	if (fill(open(a, O_RDWR | O_CREAT | O_EXCL, 0600), 256u << 10) != 0)
		return 3;
	if (fill(open(b, O_RDWR | O_CREAT | O_EXCL, 0600), 2u << 20) != 1)
		return 4;
	/* a staging file goes through the same mapping */
	if (fill(kexe_stage_open(dir, &err), 2u << 20) != 1)
		return 5;
	return fill(kexe_stage_open(dir, &err), 128u << 10) == 0 ? 0 : 6;
}

TEST(output_on_a_full_file_system_is_exit_7_not_sigbus)
{
	int rc = in_small_tmpfs(fill_small_fs);

	if (rc == SKIPPED) {
		printf("  skipped: cannot mount a tmpfs in a private mount namespace here\n");
		return;
	}
	if (rc)
		printf("  result %d (128 + %d is a signal)\n", rc, SIGBUS);
	CHECK(rc == 0);
}
