#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "inspect.h"
#include "nixos_anywhere.h"
#include "pack.h"
#include "version.h"
#include "wrap.h"

static void usage(void)
{
	printf("Usage: kexe COMMAND [ARGS]\n"
	       "Packs a Linux kernel, initrds and a command line into one static executable\n"
	       "(a bundle) that boots them with kexec when run as root on a Linux host.\n"
	       "\n"
	       "Commands:\n"
	       "  pack --kernel FILE [--initrd FILE]... [--cmdline STR] [--name STR] -o OUT\n"
	       "  pack --kexec-tree DIR [--initrd FILE]... [--cmdline STR] -o OUT\n"
	       "  pack --uki IMAGE.efi [--initrd FILE]... [--append STR]... -o OUT\n"
	       "       write a bundle; --kexec-tree reads a NixOS system.build.kexecTree\n"
	       "       (bzImage, initrd, kexec-boot). --level N sets LZ4 level 0-12 (default 1).\n"
	       "       The bundle's architecture is the kernel's (x86_64 bzImage or arm64 Image;\n"
	       "       gzip'd and EFI zboot arm64 kernels are unpacked); --arch x86_64|arm64\n"
	       "       insists on one.\n"
	       "       --format sh writes the shell form instead of the binary: a POSIX sh\n"
	       "       script that also runs piped (curl -fsSL URL | sh -s -- OPTIONS).\n"
	       "       --format nixos-anywhere writes kexec.tar.gz for nixos-anywhere --kexec.\n"
	       "       --uki takes kernel, initrd and command line from a Unified Kernel Image;\n"
	       "       --append STR adds to the command line (repeatable).\n"
	       "  wrap BUNDLE -o OUT    write the shell form of an existing bundle\n"
	       "       (--format nixos-anywhere: the nixos-anywhere tarball)\n"
	       "       pack and wrap print the commands that run the bundle on a host when stdout\n"
	       "       is a terminal or with --print-oneliners; --url URL fills in where the\n"
	       "       shell form will be served. See docs/ONE-LINERS.md. pack --json prints\n"
	       "       what it wrote (path, size, SHA-256) as one JSON document instead.\n"
	       "  info [--json] BUNDLE  describe a bundle\n"
	       "  verify [--json] BUNDLE  check every checksum and the kernel header\n"
	       "  extract BUNDLE DIR    write kernel, initrd-N, cmdline, metadata into DIR, a new\n"
	       "                        directory (an existing name or a symlink is refused)\n"
	       "  --version, --help\n"
	       "\n"
	       "A bundle itself takes --help, --dry-run, --info, --extract DIR, --append ARGS,\n"
	       "--cmdline ARGS, --initrd FILE, --load-only, --version.\n"
	       "\n" KEXE_EXIT_CODES_HELP);
}

/* --arch x86_64|arm64 (aarch64 and amd64 too): the kernel must be for it. */
static int parse_arch(const char *v, struct pack_args *a, struct kexe_err *err)
{
	if (!strcmp(v, "x86_64") || !strcmp(v, "amd64"))
		a->arch = KEXE_ARCH_X86_64;
	else if (!strcmp(v, "arm64") || !strcmp(v, "aarch64"))
		a->arch = KEXE_ARCH_AARCH64;
	else
		return kexe_fail(err, KEXE_EXIT_USAGE, "--arch is x86_64 or arm64, not %s", v);
	return 0;
}

static int parse_pack(int argc, char **argv, struct pack_args *a, struct kexe_err *err)
{
	const char *v;

	memset(a, 0, sizeof *a);
	a->lz4_level = 1;
	a->print_oneliners = isatty(STDOUT_FILENO);
	for (int i = 2; i < argc; i++) {
		if ((v = kexe_option_value("--kernel", argc, argv, &i)))
			a->kernel = v;
		else if ((v = kexe_option_value("--initrd", argc, argv, &i))) {
			if (a->n_initrds == KEXE_MAX_INITRDS)
				return kexe_fail(err, KEXE_EXIT_USAGE, "at most %d initrds",
						 KEXE_MAX_INITRDS);
			a->initrds[a->n_initrds++] = v;
		} else if ((v = kexe_option_value("--cmdline", argc, argv, &i)))
			a->cmdline = v;
		else if ((v = kexe_option_value("--kexec-tree", argc, argv, &i)))
			a->kexec_tree = v;
		else if ((v = kexe_option_value("--name", argc, argv, &i)))
			a->name = v;
		else if ((v = kexe_option_value("--output", argc, argv, &i)) ||
			 (v = kexe_option_value("-o", argc, argv, &i)))
			a->output = v;
		else if ((v = kexe_option_value("--level", argc, argv, &i)))
			a->lz4_level = atoi(v);
		else if ((v = kexe_option_value("--stub", argc, argv, &i)))
			a->stub_path = v;
		else if ((v = kexe_option_value("--arch", argc, argv, &i))) {
			if (parse_arch(v, a, err))
				return -1;
		} else if (!strcmp(argv[i], "--unchecked-kernel"))
			a->unchecked_kernel = 1;
		else if ((v = kexe_option_value("--format", argc, argv, &i))) {
			if (strcmp(v, "sh") && strcmp(v, "kexe") && strcmp(v, "nixos-anywhere"))
				return kexe_fail(
				    err, KEXE_EXIT_USAGE,
				    "--format is sh, nixos-anywhere or kexe (the binary, "
				    "default)");
			a->shell_form = !strcmp(v, "sh");
			a->nixos_anywhere = !strcmp(v, "nixos-anywhere");
		} else if ((v = kexe_option_value("--uki", argc, argv, &i)))
			a->uki = v;
		else if ((v = kexe_option_value("--append", argc, argv, &i))) {
			if (a->n_append == PACK_MAX_APPEND)
				return kexe_fail(err, KEXE_EXIT_USAGE,
						 "at most %d --append options", PACK_MAX_APPEND);
			a->append[a->n_append++] = v;
		} else if ((v = kexe_option_value("--url", argc, argv, &i)))
			a->url = v;
		else if (!strcmp(argv[i], "--print-oneliners"))
			a->print_oneliners = 1;
		else if (!strcmp(argv[i], "--json"))
			a->json = 1;
		else
			return kexe_fail(
			    err, KEXE_EXIT_USAGE,
			    "pack: unknown option or missing value: %s; see kexe --help", argv[i]);
	}
	if (a->lz4_level < 0 || a->lz4_level > 12)
		return kexe_fail(err, KEXE_EXIT_USAGE, "--level must be 0 to 12");
	if (a->nixos_anywhere || a->json)
		a->print_oneliners = 0; /* nixos-anywhere --kexec FILE runs it; JSON has the pins */
	return 0;
}

/* kexe pack ARGS: with --json (anywhere in ARGS) also a usage error is a JSON document. */
static int pack(int argc, char **argv, struct kexe_err *err)
{
	static struct pack_args a;
	struct pack_result res;
	int rc = parse_pack(argc, argv, &a, err);

	if (rc == 0)
		rc = kexe_pack(&a, &res, err);
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			return kexe_pack_json(&a, &res, rc, err);
	return rc;
}

/* kexe wrap BUNDLE -o OUT [--url URL] [--print-oneliners] */
static int wrap(int argc, char **argv, struct kexe_err *err)
{
	struct wrap_options opt = {.print_oneliners = isatty(STDOUT_FILENO)};
	const char *bundle = NULL, *output = NULL, *v;
	int tarball = 0;

	for (int i = 2; i < argc; i++) {
		if ((v = kexe_option_value("--output", argc, argv, &i)) ||
		    (v = kexe_option_value("-o", argc, argv, &i)))
			output = v;
		else if ((v = kexe_option_value("--format", argc, argv, &i)) &&
			 (!strcmp(v, "sh") || !strcmp(v, "nixos-anywhere")))
			tarball = !strcmp(v, "nixos-anywhere");
		else if ((v = kexe_option_value("--url", argc, argv, &i)))
			opt.url = v;
		else if (!strcmp(argv[i], "--print-oneliners"))
			opt.print_oneliners = 1;
		else if (argv[i][0] != '-' && !bundle)
			bundle = argv[i];
		else
			return kexe_fail(
			    err, KEXE_EXIT_USAGE,
			    "wrap: unknown option or missing value: %s; see kexe --help", argv[i]);
	}
	if (!bundle || !output)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "usage: kexe wrap BUNDLE -o OUT [--url URL]");
	if (tarball)
		return kexe_nixos_anywhere_wrap(bundle, output, err);
	return kexe_wrap(bundle, output, &opt, err);
}

/* kexe info|verify [--json] BUNDLE */
static int inspect(int argc, char **argv, struct kexe_err *err)
{
	const char *path = NULL;
	int json = 0, verify = !strcmp(argv[1], "verify");

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!path)
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (!path)
		return kexe_fail(err, KEXE_EXIT_USAGE, "usage: kexe %s [--json] BUNDLE", argv[1]);
	if (verify)
		return json ? inspect_verify_json(path, err) : inspect_verify(path, err);
	return json ? inspect_info_json(path, err) : inspect_info(path, err);
}

static int dispatch(int argc, char **argv, struct kexe_err *err)
{
	const char *cmd = argv[1];

	if (!strcmp(cmd, "pack"))
		return pack(argc, argv, err);
	if (!strcmp(cmd, "wrap"))
		return wrap(argc, argv, err);
	if (!strcmp(cmd, "info") || !strcmp(cmd, "verify"))
		return inspect(argc, argv, err);
	if (!strcmp(cmd, "extract") && argc == 4)
		return inspect_extract(argv[2], argv[3], err);
	return kexe_fail(err, KEXE_EXIT_USAGE,
			 "unknown command or wrong arguments: %s; see "
			 "kexe --help",
			 cmd);
}

int main(int argc, char **argv)
{
	struct kexe_err err = {0};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage();
		return argc < 2 ? KEXE_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kexe %s\n", KEXE_VERSION);
		return 0;
	}
	if (dispatch(argc, argv, &err))
		return kexe_report(&err);
	return 0;
}
