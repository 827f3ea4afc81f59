#include <stdio.h>
#include <unistd.h>

#include "options.h"
#include "run.h"
#include "self.h"
#include "version.h"

int main(int argc, char **argv)
{
	struct stub_options o;
	struct kexe_err err = {0};
	const char *argv0 = argc > 0 ? argv[0] : "kexe-bundle";
	int fd, rc;

	if (stub_parse_options(argc, argv, &o, &err))
		return kexe_report(&err);
	if (o.mode == STUB_HELP) {
		stub_print_help(argv0);
		return 0;
	}
	if (o.mode == STUB_VERSION) {
		printf("kexe %s\n", KEXE_VERSION);
		return 0;
	}
	fd = kexe_open_self(argv0, &err);
	if (fd < 0)
		return kexe_report(&err);
	rc = stub_run(fd, &o);
	close(fd);
	return rc;
}
