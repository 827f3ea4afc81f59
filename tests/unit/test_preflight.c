#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "preflight.h"
#include "test.h"

static void write_bytes(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	write_bytes(dir, name, text, strlen(text));
}

static const struct kexe_verdict *verdict(const struct kexe_preflight *pf, const char *check)
{
	for (unsigned i = 0; i < pf->count; i++)
		if (!strcmp(pf->verdicts[i].check, check))
			return &pf->verdicts[i];
	return NULL;
}

/* Probes the fake host and runs the preflight for a 100 MiB initrd with a bzImage. */
static const char *stage_dir; /* what plan() found to stage in, for the next preflight */

static void run_preflight(struct kexe_host *h, struct kexe_preflight *pf, int five_level_kernel)
{
	struct kexe_plan p = {.kernel_file = 8 << 20, .initrd = 100 << 20, .memory_check = 1};

	p.kernel.arch = KEXE_ARCH_X86_64;
	p.kernel.memory_size = 32 << 20;
	p.kernel.five_level = five_level_kernel;
	p.stage_dir = stage_dir;
	snprintf(p.kernel.description, sizeof p.kernel.description, "x86_64 bzImage");
	kexe_host_probe(h);
	kexe_preflight_run(h, &p, pf);
}

TEST(preflight_passes_on_a_plain_host)
{
	struct kexe_preflight pf;
	struct kexe_host h;

	fixture_host(0, "[none] integrity confidentiality\n", 0);
	run_preflight(&h, &pf, 0);
	for (unsigned i = 0; i < pf.count; i++)
		CHECK(pf.verdicts[i].level == KEXE_PASS ||
		      !strcmp(pf.verdicts[i].check, "secure-boot"));
	CHECK(kexe_preflight_verdict(&pf, NULL) == 0);
	CHECK(strstr(verdict(&pf, "memory")->text, "needs about 381 MiB") != NULL);
}

TEST(preflight_names_each_refusal)
{
	struct kexe_preflight pf;
	struct kexe_host h;
	const char *dir;
	char path[512];

	fixture_host(0, NULL, 1);
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "kexec")->level == KEXE_FAIL);

	fixture_host(0, NULL, 0);
	setenv("KEXE_FAKE_EUID", "1000", 1);
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "root")->level == KEXE_FAIL);

	dir = fixture_host(0, NULL, 0);
	write_file(dir, "proc/1/cgroup", "0::/system.slice/docker-0123.scope\n");
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "container")->level == KEXE_FAIL);
	CHECK(strstr(verdict(&pf, "container")->text, "docker") != NULL);

	dir = fixture_host(0, "none [confidentiality]\n", 0);
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "lockdown")->level == KEXE_WARN);
	CHECK(strstr(verdict(&pf, "lockdown")->text, "confidentiality") != NULL);

	dir = fixture_host(0, NULL, 0);
	snprintf(path, sizeof path, "%s/sys/firmware/efi/efivars", dir);
	mkdir(path, 0755);
	write_bytes(dir, "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
		    "\x06\x00\x00\x00\x01", 5);
	run_preflight(&h, &pf, 0);
	CHECK(h.secure_boot == 1);
	CHECK(verdict(&pf, "secure-boot")->level == KEXE_WARN);

	dir = fixture_host(0, NULL, 0);
	write_file(dir, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme la57 pse\n\n");
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "paging")->level == KEXE_FAIL);
	run_preflight(&h, &pf, 1);
	CHECK(verdict(&pf, "paging")->level == KEXE_PASS);
	write_file(dir, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme pse\n\n");

	/* 292 MiB available: kexec_file_load needs 381, kexec_load 249 */
	fixture_host(300000, NULL, 0);
	run_preflight(&h, &pf, 0);
	CHECK(pf.legacy == 1);
	CHECK(pf.staged == 0);
	CHECK(strstr(verdict(&pf, "syscall")->text, "kexec_load from memfds (needs ~249 MiB") !=
	      NULL);
	CHECK(verdict(&pf, "memory")->level == KEXE_PASS);
	/* the same under lockdown: only kexec_file_load, which does not fit */
	fixture_host(300000, "none [integrity]\n", 0);
	run_preflight(&h, &pf, 0);
	CHECK(pf.legacy == 0);
	CHECK(verdict(&pf, "memory")->level == KEXE_FAIL);
	CHECK(verdict(&pf, "memory")->code == KEXE_EXIT_MEMORY);
	CHECK(strstr(verdict(&pf, "memory")->text, "only 292 MiB") != NULL);
	/* 195 MiB: nothing fits */
	fixture_host(200000, NULL, 0);
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "memory")->level == KEXE_FAIL);
}

TEST(check_mode_prints_every_verdict_and_exits_with_the_first_failure)
{
	static struct fixture fx;
	const char *args[] = {"--check", NULL};
	char path[] = "/tmp/kexe-unit-check.XXXXXX", out[4096];
	int fd = mkstemp(path), saved;
	FILE *f;
	size_t n;

	fixture_host(0, NULL, 1);
	CHECK(fixture_default(&fx) == 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	kexe_fake_loads = 0;
	int rc = fixture_run(fx.fd, args);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fopen(path, "r");
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = 0;
	fclose(f);
	remove(path);
	close(fd);
	close(fx.fd);
	CHECK(rc == KEXE_EXIT_HOST);
	CHECK(kexe_fake_loads == 0);
	CHECK(strstr(out, "FAIL  kexec") != NULL);
	CHECK(strstr(out, "pass  memory") != NULL);
	CHECK(strstr(out, "verdict: this host cannot load the bundle now") != NULL);
}

TEST(preflight_stages_on_disk_before_giving_up_kexec_file_load)
{
	struct kexe_preflight pf;
	struct kexe_host h;

	stage_dir = "/var/tmp";
	fixture_host(300000, NULL, 0); /* file 381, file staged 273, legacy 249 */
	run_preflight(&h, &pf, 0);
	CHECK(pf.legacy == 0 && pf.staged == 1);
	CHECK(strstr(verdict(&pf, "syscall")->text, "staged on disk") != NULL);
	CHECK(strstr(verdict(&pf, "memory")->text, "our copy is on disk") != NULL);
	fixture_host(130000, NULL, 0); /* 126 MiB: only kexec_load staged (141) comes close */
	run_preflight(&h, &pf, 0);
	CHECK(pf.legacy == 1 && pf.staged == 1);
	CHECK(verdict(&pf, "memory")->level == KEXE_FAIL);
	fixture_host(190000, NULL, 0); /* 185 MiB: kexec_load staged fits */
	run_preflight(&h, &pf, 0);
	CHECK(pf.legacy == 1 && pf.staged == 1);
	CHECK(verdict(&pf, "memory")->level == KEXE_PASS);
	stage_dir = NULL;
}

TEST(preflight_keeps_the_segments_within_half_of_memtotal)
{
	struct kexe_preflight pf;
	struct kexe_host h;
	const char *dir;

	/* MemTotal 244 MiB: the kernel takes 122; kexec_file_load's segments are 133 MiB
	 * (init_size 32 + initrd 100 + 1), kexec_load's 109 (file 8 + 100 + 1) */
	stage_dir = "/var/tmp";
	dir = fixture_host(0, NULL, 0);
	write_file(dir, "proc/meminfo", "MemTotal: 250000 kB\nMemAvailable: 240000 kB\n");
	run_preflight(&h, &pf, 0);
	CHECK(pf.legacy == 1);
	CHECK(verdict(&pf, "memory")->level == KEXE_PASS);
	/* MemTotal 195 MiB: nothing fits under half of it */
	write_file(dir, "proc/meminfo", "MemTotal: 200000 kB\nMemAvailable: 190000 kB\n");
	run_preflight(&h, &pf, 0);
	CHECK(verdict(&pf, "memory")->level == KEXE_FAIL);
	CHECK(verdict(&pf, "memory")->code == KEXE_EXIT_MEMORY);
	CHECK(strstr(verdict(&pf, "memory")->text, "at most half of its RAM") != NULL);
	CHECK(strstr(verdict(&pf, "memory")->text, "takes 109 MiB with kexec_load") != NULL);
	stage_dir = NULL;
}

TEST(ima_appraising_kexec_kernels_keeps_auto_on_kexec_file_load)
{
	struct kexe_preflight pf;
	struct kexe_host h;
	const char *dir;
	char path[512];

	/* 292 MiB available: without IMA auto picks kexec_load (see above) */
	dir = fixture_host(300000, "[none] integrity confidentiality\n", 0);
	snprintf(path, sizeof path, "%s/sys/kernel/security/ima", dir);
	mkdir(path, 0755);
	write_file(dir, "sys/kernel/security/ima/policy",
		   "measure func=KEXEC_KERNEL_CHECK\nappraise func=MODULE_CHECK\n");
	run_preflight(&h, &pf, 0);
	CHECK(h.ima_kexec == 0 && pf.legacy == 1);
	write_file(dir, "sys/kernel/security/ima/policy",
		   "measure func=KEXEC_KERNEL_CHECK\n"
		   "appraise func=KEXEC_KERNEL_CHECK appraise_type=imasig\n");
	run_preflight(&h, &pf, 0);
	CHECK(h.ima_kexec == 1 && pf.legacy == 0);
	CHECK(verdict(&pf, "memory")->level == KEXE_FAIL); /* 381 MiB do not fit in 292 */
	/* no readable policy: the boot option tells */
	dir = fixture_host(300000, NULL, 0);
	write_file(dir, "proc/cmdline", "BOOT_IMAGE=/vmlinuz ima_policy=secure_boot quiet\n");
	run_preflight(&h, &pf, 0);
	CHECK(h.ima_kexec == 1 && pf.legacy == 0);
}

TEST(lockdown_on_the_kernel_command_line_is_seen_without_securityfs)
{
	struct kexe_preflight pf;
	struct kexe_host h;
	const char *dir = fixture_host(0, NULL, 0); /* no /sys/kernel/security/lockdown */

	write_file(dir, "proc/cmdline", "BOOT_IMAGE=/vmlinuz lockdown=integrity quiet\n");
	run_preflight(&h, &pf, 0);
	CHECK(strcmp(h.lockdown, "integrity") == 0);
	CHECK(verdict(&pf, "lockdown")->level == KEXE_WARN);
	write_file(dir, "proc/cmdline", "BOOT_IMAGE=/vmlinuz quiet\n");
	run_preflight(&h, &pf, 0);
	CHECK(h.lockdown[0] == 0);
}
