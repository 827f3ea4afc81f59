#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "load.h"
#include "test.h"

static struct fixture fx;

/* Runs the default fixture with args, keeping its stderr in msg. */
static int run_capture(const char *const *args, char *msg, size_t size)
{
	return fixture_run_stderr(fx.fd, args, msg, size);
}

struct errno_case {
	int e;
	int exit_code;
	const char *words;
};

TEST(each_kexec_errno_becomes_one_advising_line)
{
	static const struct errno_case cases[] = {
	    {ENOSYS, KEXE_EXIT_KERNEL, "no kexec_file_load"},
	    {EPERM, KEXE_EXIT_HOST, "lockdown is active (integrity)"},
	    {EKEYREJECTED, KEXE_EXIT_HOST, "signed kernel"},
	    {EBADMSG, KEXE_EXIT_HOST, "signed kernel"},
	    {EBUSY, KEXE_EXIT_KERNEL, "busy"},
	    {ENOEXEC, KEXE_EXIT_KERNEL, "image format"},
	    {EINVAL, KEXE_EXIT_KERNEL, "MiB"},
	    {EACCES, KEXE_EXIT_HOST, "IMA policy"},
	    {ENOMEM, KEXE_EXIT_MEMORY, "too little memory"},
	    {EADDRNOTAVAIL, KEXE_EXIT_MEMORY, "too little memory"},
	};
	const char *args[] = {NULL};
	char msg[1024], num[16], *err_line;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fixture_host(0, "none [integrity] confidentiality\n", 0);
		CHECK(fixture_default(&fx) == 0);
		snprintf(num, sizeof num, "%d", cases[i].e);
		setenv("KEXE_FAKE_LOAD_ERRNO", num, 1);
		kexe_fake_reboots = 0;
		CHECK(run_capture(args, msg, sizeof msg) == cases[i].exit_code);
		/* first the way chosen, then the error: one line */
		CHECK(strncmp(msg, "kexe: loading with kexec_file_load", 34) == 0);
		err_line = strchr(msg, '\n') + 1;
		CHECK(strncmp(err_line, "kexe: kexec_file_load: ", 23) == 0);
		CHECK(strstr(err_line, cases[i].words) != NULL);
		CHECK(strchr(err_line, '\n') == err_line + strlen(err_line) - 1);
		CHECK(kexe_fake_reboots == 0);
		close(fx.fd);
	}
}

TEST(host_refusals_come_before_any_load)
{
	const char *args[] = {NULL};
	char msg[1024];
	const char *dir;
	char path[256];

	fixture_host(0, NULL, 1);
	CHECK(fixture_default(&fx) == 0);
	kexe_fake_loads = 0;
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_HOST);
	CHECK(strstr(msg, "kexec_load_disabled") != NULL);

	fixture_host(0, NULL, 0);
	setenv("KEXE_FAKE_EUID", "1000", 1);
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_HOST);
	CHECK(strstr(msg, "root") != NULL);

	dir = fixture_host(0, NULL, 0);
	snprintf(path, sizeof path, "%s/.dockerenv", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_HOST);
	CHECK(strstr(msg, "container (docker)") != NULL);
	unlink(path);

	fixture_host(20000, NULL, 0); /* 19 MiB available, 32 MiB needed */
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_MEMORY);
	CHECK(strstr(msg, "not enough memory") != NULL);
	CHECK(kexe_fake_loads == 0);

	const char *dry[] = {"--dry-run", NULL};
	setenv("KEXE_FAKE_EUID", "1000", 1);
	CHECK(run_capture(dry, msg, sizeof msg) == 0); /* dry run needs no root */
	CHECK(kexe_fake_loads == 0);
	close(fx.fd);
}

TEST(failed_reboot_unloads_and_says_so)
{
	const char *args[] = {NULL};
	char msg[1024], log[] = "/tmp/kexe-unit-log.XXXXXX", text[512];
	int fd = mkstemp(log);
	ssize_t n;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	setenv("KEXE_FAKE_REBOOT_ERRNO", "1", 1);
	setenv("KEXE_FAKE_LOG", log, 1);
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_REBOOT);
	CHECK(strstr(msg, "keeps running") != NULL);
	n = pread(fd, text, sizeof text - 1, 0);
	text[n > 0 ? n : 0] = 0;
	CHECK(strstr(text, "reboot\nkexec_file_load unload") != NULL);
	close(fd);
	unlink(log);
	close(fx.fd);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	*len = f ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

TEST(runtime_cmdline_and_extra_initrd_reach_the_kernel)
{
	char dir[] = "/tmp/kexe-unit-dump.XXXXXX", path[256], extra[256];
	const char *args[] = {"--cmdline", "init=/x", "--append", "quiet", "--initrd", extra, NULL};
	size_t len;
	char *got;
	FILE *f;

	fixture_host(0, NULL, 0);
	CHECK(fixture_default(&fx) == 0);
	CHECK(mkdtemp(dir) != NULL);
	setenv("KEXE_FAKE_DUMP", dir, 1);
	snprintf(extra, sizeof extra, "%s/extra", dir);
	f = fopen(extra, "w");
	fputs("EXTRA", f);
	fclose(f);
	CHECK(fixture_run(fx.fd, args) == 0);
	snprintf(path, sizeof path, "%s/cmdline", dir);
	got = slurp(path, &len);
	CHECK(len == strlen("init=/x quiet") && memcmp(got, "init=/x quiet", len) == 0);
	free(got);
	snprintf(path, sizeof path, "%s/initrd", dir);
	got = slurp(path, &len);
	/* initrd 0 (20000 bytes), initrd 1 at 20000 (4-aligned), the extra at 32348 */
	CHECK(len == 32348 + 5);
	CHECK(memcmp(got, fx.initrd[0], 20000) == 0);
	CHECK(memcmp(got + 20000, fx.initrd[1], 12345) == 0);
	CHECK(memcmp(got + 32345, "\0\0\0", 3) == 0);
	CHECK(memcmp(got + 32348, "EXTRA", 5) == 0);
	free(got);
	snprintf(path, sizeof path, "%s/kernel", dir);
	got = slurp(path, &len);
	CHECK(len == sizeof fx.kernel && memcmp(got, fx.kernel, len) == 0);
	free(got);
	close(fx.fd);
}

TEST(command_line_longer_than_kernel_accepts_is_refused)
{
	static char longer[3000];
	const char *args[] = {"--append", longer, NULL};
	char msg[1024];

	fixture_host(0, NULL, 0);
	memset(longer, 'a', sizeof longer - 1);
	CHECK(fixture_default(&fx) == 0);
	kexe_fake_loads = 0;
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_USAGE);
	CHECK(strstr(msg, "at most 2047") != NULL);
	CHECK(kexe_fake_loads == 0);
	close(fx.fd);
}

TEST(foreign_arch_kernel_is_refused_at_run_time)
{
	const char *args[] = {NULL};
	char msg[1024];

	fixture_host(0, NULL, 0);
	memset(&fx, 0, sizeof fx);
	fixture_arm64(fx.kernel, sizeof fx.kernel);
	fx.cmdline = "x";
	CHECK(fixture_pack(&fx) == 0);
	kexe_fake_loads = 0;
	CHECK(run_capture(args, msg, sizeof msg) == KEXE_EXIT_BUNDLE);
	CHECK(strstr(msg, "arm64") != NULL);
	CHECK(kexe_fake_loads == 0);
	close(fx.fd);
}
