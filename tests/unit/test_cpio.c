#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"
#include "test.h"

/* Lists the archive with the system's cpio and busybox cpio; both must agree with names. */
static int listed_by(const char *tool, const struct kexe_cpio *c, const char *expect)
{
	char path[] = "/tmp/kexe-unit-cpio.XXXXXX", cmd[256], out[1024];
	FILE *f, *p;
	size_t n;
	int fd = mkstemp(path);

	f = fdopen(fd, "wb");
	fwrite(c->data, 1, c->size, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "%s -t < %s 2>/dev/null", tool, path);
	p = popen(cmd, "r");
	n = p ? fread(out, 1, sizeof out - 1, p) : 0;
	out[n] = 0;
	if (p)
		pclose(p);
	remove(path);
	if (strcmp(out, expect))
		printf("  %s listed:\n%s", tool, out);
	return strcmp(out, expect) == 0;
}

TEST(cpio_archive_lists_with_cpio_and_busybox)
{
	struct kexe_cpio c;
	static const char expect[] = "ssh\nssh/authorized_keys\nroot\nroot/network\n"
				     "root/network/addrs.json\nempty\n";

	kexe_cpio_init(&c);
	CHECK(kexe_cpio_add_dir(&c, "ssh", 0700, NULL) == 0);
	CHECK(kexe_cpio_add_file(&c, "ssh/authorized_keys", 0600, "ssh-ed25519 AAAA k\n", 19,
				 NULL) == 0);
	CHECK(kexe_cpio_add_parents(&c, "root/network/addrs.json", NULL) == 0);
	CHECK(kexe_cpio_add_parents(&c, "root/network/addrs.json", NULL) == 0); /* no repeats */
	CHECK(kexe_cpio_add_file(&c, "root/network/addrs.json", 0644, "[]", 2, NULL) == 0);
	CHECK(kexe_cpio_add_file(&c, "empty", 0644, NULL, 0, NULL) == 0);
	CHECK(kexe_cpio_finish(&c, NULL) == 0);
	CHECK(c.size % 4 == 0);
	CHECK(memcmp(c.data, "070701", 6) == 0);
	CHECK(listed_by("cpio", &c, expect));
	CHECK(listed_by("busybox cpio", &c, expect));
	kexe_cpio_free(&c);
}

TEST(cpio_refuses_escaping_paths)
{
	static const char *const bad[] = {"/etc/shadow", "../x", "a/../b", "a//b",
					  "a/",		 "",	 "./a",	   "a/."};
	struct kexe_cpio c;

	kexe_cpio_init(&c);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(kexe_cpio_add_file(&c, bad[i], 0644, "x", 1, NULL) == -1);
	CHECK(c.size == 0);
	CHECK(kexe_cpio_path_ok("etc/ssh/ssh_host_ed25519_key"));
	kexe_cpio_free(&c);
}
