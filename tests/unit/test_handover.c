#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "test.h"

static struct fixture fx;

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Runs the default fixture with args, returning the exit code and the fake seam's log. */
static int run_logged(const char *const *args, char *log, size_t size)
{
	char path[] = "/tmp/kexe-unit-seam.XXXXXX";
	int fd = mkstemp(path), rc, saved = dup(2), null = open("/dev/null", O_WRONLY);
	ssize_t n;

	setenv("KEXE_FAKE_LOG", path, 1);
	dup2(null, 2);
	rc = fixture_run(fx.fd, args);
	dup2(saved, 2);
	close(saved);
	close(null);
	n = pread(fd, log, size - 1, 0);
	log[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	unsetenv("KEXE_FAKE_LOG");
	return rc;
}

TEST(systemd_hosts_hand_over_through_systemctl_kexec)
{
	const char *args[] = {NULL}, *force[] = {"--force", NULL};
	char log[4096];
	const char *dir = fixture_host(0, NULL, 0);

	put(dir, "proc/1/comm", "systemd\n");
	CHECK(fixture_default(&fx) == 0);
	CHECK(run_logged(args, log, sizeof log) == 0);
	CHECK(strstr(log, "systemctl kexec\n") != NULL);
	CHECK(strstr(log, "reboot\n") == NULL);
	CHECK(run_logged(force, log, sizeof log) == 0);
	CHECK(strstr(log, "systemctl kexec\n") == NULL);
	CHECK(strstr(log, "reboot\n") != NULL);
	setenv("KEXE_FAKE_SYSTEMCTL", "1", 1);
	CHECK(run_logged(args, log, sizeof log) == KEXE_EXIT_REBOOT);
	CHECK(strstr(log, "systemctl kexec\nkexec_file_load unload\nkmsg kexe: systemctl kexec "
			  "failed (exit 1)") != NULL);
	close(fx.fd);
}

TEST(direct_reboot_remounts_block_filesystems_read_only_and_back_on_failure)
{
	const char *args[] = {NULL};
	char log[4096];
	const char *dir = fixture_host(0, NULL, 0);

	put(dir, "proc/mounts",
	    "/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n"
	    "/dev/vda2 /srv/my\\040data xfs rw 0 0\n/dev/vdb /mnt/ro ext4 ro,noatime 0 0\n");
	CHECK(fixture_default(&fx) == 0);
	CHECK(run_logged(args, log, sizeof log) == 0);
	/* innermost first, the read-only one and proc left alone */
	CHECK(strstr(log, "remount /srv/my data ro\nremount / ro\n") != NULL);
	CHECK(strstr(log, "/mnt/ro") == NULL && strstr(log, "/proc") == NULL);
	setenv("KEXE_FAKE_REBOOT_ERRNO", "16", 1);
	CHECK(run_logged(args, log, sizeof log) == KEXE_EXIT_REBOOT);
	CHECK(strstr(log, "reboot\nremount / rw\nremount /srv/my data rw\n") != NULL);
	CHECK(strstr(log, "kexec_file_load unload") != NULL);
	close(fx.fd);
}

TEST(direct_reboot_freezes_busy_filesystems_and_thaws_them_on_failure)
{
	const char *args[] = {NULL};
	char log[4096];
	const char *dir = fixture_host(0, NULL, 0);

	put(dir, "proc/mounts", "/dev/vda1 / ext4 rw,relatime 0 0\n/dev/vda2 /var xfs rw 0 0\n");
	CHECK(fixture_default(&fx) == 0);
	setenv("KEXE_FAKE_REMOUNT_ERRNO", "16", 1);
	CHECK(run_logged(args, log, sizeof log) == 0);
	CHECK(strstr(log, "remount /var ro failed\nfreeze /var\n") != NULL);
	CHECK(strstr(log, "remount / ro failed\nfreeze /\n") != NULL);
	CHECK(strstr(log, "thaw") == NULL);
	setenv("KEXE_FAKE_REBOOT_ERRNO", "5", 1);
	CHECK(run_logged(args, log, sizeof log) == KEXE_EXIT_REBOOT);
	CHECK(strstr(log, "reboot\nthaw /\nthaw /var\nkexec_file_load unload\n") != NULL);
	/* neither read-only nor frozen: named, and the reboot goes on */
	setenv("KEXE_FAKE_FREEZE_ERRNO", "95", 1);
	unsetenv("KEXE_FAKE_REBOOT_ERRNO");
	CHECK(run_logged(args, log, sizeof log) == 0);
	CHECK(strstr(log, "freeze / failed\nkmsg kexe: / is not clean on disk") != NULL);
	CHECK(strstr(log, "reboot\n") != NULL);
	unsetenv("KEXE_FAKE_FREEZE_ERRNO");
	unsetenv("KEXE_FAKE_REMOUNT_ERRNO");
	close(fx.fd);
}
