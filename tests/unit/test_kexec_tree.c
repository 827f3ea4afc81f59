#include <stdlib.h>
#include <string.h>

#include "kexec_tree.h"
#include "test.h"

/* The shape of nixpkgs' netboot.nix kexec-boot script. */
static const char script[] =
    "#!/usr/bin/env bash\n"
    "if ! kexec -v >/dev/null 2>&1; then\n"
    "  echo \"kexec not found: please install kexec-tools\" 2>&1\n"
    "  exit 1\n"
    "fi\n"
    "SCRIPT_DIR=$( cd -- \"$( dirname -- \"${BASH_SOURCE[0]}\" )\" &> /dev/null && pwd )\n"
    "kexec --load ${SCRIPT_DIR}/bzImage \\\n"
    "  --initrd=${SCRIPT_DIR}/initrd.gz \\\n"
    "  --command-line \"init=/nix/store/abc-nixos-system-nixos-24.05/init loglevel=4 "
    "console=ttyS0\"\n"
    "kexec -e\n";

TEST(kexec_boot_script_gives_kernel_initrd_and_cmdline)
{
	struct kexec_tree t;

	CHECK(kexec_tree_parse("/tree", script, strlen(script), &t, NULL) == 0);
	CHECK(strcmp(t.kernel, "/tree/bzImage") == 0);
	CHECK(strcmp(t.initrd, "/tree/initrd.gz") == 0);
	CHECK(
	    strcmp(t.cmdline,
		   "init=/nix/store/abc-nixos-system-nixos-24.05/init loglevel=4 console=ttyS0") ==
	    0);
	free(t.cmdline);
}

TEST(older_script_with_other_initrd_name)
{
	static const char old[] = "kexec -l ./bzImage --initrd=./initrd --append='init=/x'\n";
	struct kexec_tree t;

	CHECK(kexec_tree_parse("d", old, strlen(old), &t, NULL) == 0);
	CHECK(strcmp(t.kernel, "d/bzImage") == 0);
	CHECK(strcmp(t.initrd, "d/initrd") == 0);
	CHECK(strcmp(t.cmdline, "init=/x") == 0);
	free(t.cmdline);
}

TEST(script_without_kexec_load_is_refused)
{
	static const char none[] = "#!/bin/sh\necho hello\nkexec -e\n";
	struct kexec_tree t;
	struct kexe_err err;

	CHECK(kexec_tree_parse("d", none, strlen(none), &t, &err) == -1);
	CHECK(err.code == KEXE_EXIT_USAGE);
}
