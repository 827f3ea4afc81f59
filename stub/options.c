#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "options.h"
#include "version.h"

static const char *const mode_flags[] = {
    [STUB_LOAD_ONLY] = "--load-only", [STUB_DRY_RUN] = "--dry-run", [STUB_CHECK] = "--check",
    [STUB_INFO] = "--info",	      [STUB_VERSION] = "--version", [STUB_HELP] = "--help",
};

static int set_mode(struct stub_options *o, enum stub_mode mode, const char *arg,
		    struct kexe_err *err)
{
	if (o->mode != STUB_RUN && o->mode != mode)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "%s cannot be combined with another mode; see --help", arg);
	o->mode = mode;
	return 0;
}

static int add(char **list, unsigned *n, unsigned max, const char *value, const char *flag,
	       struct kexe_err *err)
{
	if (*n == max)
		return kexe_fail(err, KEXE_EXIT_USAGE, "at most %u %s options", max, flag);
	list[(*n)++] = (char *)value;
	return 0;
}

/* Flags that take no value; returns 1 when arg was one. */
static int parse_switch(const char *arg, struct stub_options *o)
{
	static const struct {
		const char *name;
		size_t field;
	} switches[] = {
	    {"--no-memory-check", offsetof(struct stub_options, no_memory_check)},
	    {"--force", offsetof(struct stub_options, force)},
	    {"--consume", offsetof(struct stub_options, consume)},
	    {"--carry-ssh-keys", offsetof(struct stub_options, carry_ssh_keys)},
	    {"--carry-network", offsetof(struct stub_options, carry_network)},
	    {"--json", offsetof(struct stub_options, json)},
	    {"--reuse-cmdline", offsetof(struct stub_options, reuse_cmdline)},
	    {"--reuse-console", offsetof(struct stub_options, reuse_console)},
	};

	for (size_t i = 0; i < sizeof switches / sizeof *switches; i++)
		if (!strcmp(arg, switches[i].name)) {
			*(int *)((char *)o + switches[i].field) = 1;
			return 1;
		}
	if (!strcmp(arg, "--foreground"))
		o->detach = DETACH_NEVER;
	else if (!strcmp(arg, "--detach"))
		o->detach = DETACH_ALWAYS;
	else if (!strcmp(arg, "--now"))
		o->delay = 0;
	else
		return 0;
	return 1;
}

static int parse_delay(const char *v, struct stub_options *o, struct kexe_err *err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == 0 || *end || n < 0 || n > 3600)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "--delay takes seconds from 0 to 3600, not %s", v);
	o->delay = (int)n;
	return 0;
}

static int parse_fallback(const char *v, struct stub_options *o, struct kexe_err *err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == 0 || *end || n < 1 || n > KEXE_MAX_FALLBACK)
		return kexe_fail(
		    err, KEXE_EXIT_USAGE,
		    "--fallback takes seconds from 1 to %d, not %s; give the new system "
		    "time to boot and confirm (docs/FALLBACK.md)",
		    KEXE_MAX_FALLBACK, v);
	o->fallback = (int)n;
	return 0;
}

static int parse_syscall(const char *v, struct stub_options *o, struct kexe_err *err)
{
	if (!strcmp(v, "auto"))
		o->syscall = SYSCALL_AUTO;
	else if (!strcmp(v, "file"))
		o->syscall = SYSCALL_FILE;
	else if (!strcmp(v, "legacy"))
		o->syscall = SYSCALL_LEGACY;
	else
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "--syscall takes auto, file or legacy, not %s", v);
	return 0;
}

static int parse_one(int argc, char **argv, int *i, struct stub_options *o, struct kexe_err *err)
{
	const char *arg = argv[*i], *v;

	for (unsigned m = 0; m < sizeof mode_flags / sizeof *mode_flags; m++)
		if (mode_flags[m] && !strcmp(arg, mode_flags[m]))
			return set_mode(o, (enum stub_mode)m, arg, err);
	if (!strcmp(arg, "-h"))
		return set_mode(o, STUB_HELP, arg, err);
	if (parse_switch(arg, o))
		return 0;
	if ((v = kexe_option_value("--extract", argc, argv, i))) {
		o->extract_dir = v;
		return set_mode(o, STUB_EXTRACT, arg, err);
	}
	if ((v = kexe_option_value("--cmdline", argc, argv, i))) {
		o->cmdline = v;
		return 0;
	}
	if ((v = kexe_option_value("--delay", argc, argv, i)))
		return parse_delay(v, o, err);
	if ((v = kexe_option_value("--fallback", argc, argv, i)))
		return parse_fallback(v, o, err);
	if ((v = kexe_option_value("--log", argc, argv, i))) {
		o->log = v;
		return 0;
	}
	if ((v = kexe_option_value("--stage-dir", argc, argv, i))) {
		o->stage_dir = v;
		return 0;
	}
	if ((v = kexe_option_value("--syscall", argc, argv, i)))
		return parse_syscall(v, o, err);
	if ((v = kexe_option_value("--append", argc, argv, i)))
		return add(o->append, &o->n_append, KEXE_MAX_APPEND, v, "--append", err);
	if ((v = kexe_option_value("--initrd", argc, argv, i)))
		return add(o->initrds, &o->n_initrds, KEXE_MAX_INITRDS, v, "--initrd", err);
	if ((v = kexe_option_value("--carry-file", argc, argv, i))) {
		if (!strchr(v, ':'))
			return kexe_fail(err, KEXE_EXIT_USAGE,
					 "--carry-file takes SRC:DEST, not %s", v);
		return add(o->carry_files, &o->n_carry_files, KEXE_MAX_CARRY_FILES, v,
			   "--carry-file", err);
	}
	return kexe_fail(err, KEXE_EXIT_USAGE, "unknown option or missing value: %s; see --help",
			 arg);
}

int stub_parse_options(int argc, char **argv, struct stub_options *o, struct kexe_err *err)
{
	memset(o, 0, sizeof *o);
	o->delay = KEXE_DEFAULT_DELAY;
	for (int i = 1; i < argc; i++)
		if (parse_one(argc, argv, &i, o, err))
			return -1;
	if (o->reuse_cmdline && o->cmdline)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "--reuse-cmdline and --cmdline both replace the packed command "
				 "line; give one of them (--append adds to either)");
	return 0;
}

void stub_print_help(const char *argv0)
{
	printf("Usage: %s [OPTION]...\n"
	       "A kexe bundle: boots the Linux kernel packed inside it, replacing the running\n"
	       "system (kexec). Run as root. Everything is checked before the kernel is touched.\n"
	       "\n"
	       "Modes:\n"
	       "  (none)             check, unpack, load, then reboot into the new kernel\n"
	       "  --check            only the preflight checks, one line each\n"
	       "  --dry-run          check and unpack everything, load nothing (no root needed)\n"
	       "  --load-only        load the kernel but do not reboot into it; start it later\n"
	       "                     with `systemctl kexec` or `kexec -e`\n"
	       "  --info             describe the bundle\n"
	       "  --extract DIR      write kernel, initrd-N, cmdline and metadata into DIR\n"
	       "Payload:\n"
	       "  --append ARGS      add ARGS to the kernel command line (repeatable)\n"
	       "  --cmdline ARGS     replace the packed kernel command line\n"
	       "  --reuse-cmdline    use the running kernel's command line instead of the packed\n"
	       "                     one, without BOOT_IMAGE=, initrd=, elfcorehdr= and\n"
	       "                     kexec_jump_back_entry= (not with --cmdline)\n"
	       "  --reuse-console    append the running kernel's console=, earlycon and\n"
	       "                     earlyprintk arguments that the new line lacks\n"
	       "  --initrd FILE      load FILE as a further initrd after the packed ones "
	       "(repeatable)\n"
	       "  --carry-ssh-keys   carry root's authorized_keys and the ssh host keys\n"
	       "  --carry-network    carry addresses and routes (ip -json shape) and resolv.conf\n"
	       "  --carry-file SRC:DEST  carry file SRC to DEST in the new system's initrd\n"
	       "Hand-over:\n"
	       "  --delay N          when detached, reboot N seconds after loading (default %d)\n"
	       "  --now              no delay\n"
	       "  --foreground       do not detach from the terminal or ssh session\n"
	       "  --detach           detach even without a terminal or ssh (for scripts)\n"
	       "  --log FILE         the detached run's log file (default /run/kexe.log); with\n"
	       "                     --json it also gets the detached run's JSON lines\n"
	       "  --force            reboot directly even when systemd runs the host\n"
	       "  --fallback SECONDS a way back: arm the hardware watchdog just before the jump\n"
	       "                     and add panic=SECONDS panic_on_oops=1 to the command line;\n"
	       "                     a new system that does not take the watchdog over within\n"
	       "                     SECONDS is reset into this one (docs/FALLBACK.md)\n"
	       "  --consume          free the bundle file's memory while unpacking; the file is\n"
	       "                     used up (for a copy on tmpfs that is not needed again)\n"
	       "  --syscall WHICH    auto (default), file (kexec_file_load) or legacy\n"
	       "                     (kexec_load: one copy less in memory, unsigned kernels only)\n"
	       "                     auto also tries kexec_load when kexec_file_load refuses\n"
	       "                     the kernel and no lockdown, secure boot or IMA policy\n"
	       "                     asks for a signature\n"
	       "  --stage-dir DIR    unpack into files in DIR (disk-backed) instead of memory;\n"
	       "                     done by itself when memory is short and a disk is there\n"
	       "  --no-memory-check  load even when MemAvailable looks too small\n"
	       "  --json             report on stdout as JSON: one document, or for a run one\n"
	       "                     line per event (docs/JSON.md)\n"
	       "  --version, --help\n"
	       "\n" KEXE_EXIT_CODES_HELP
	       "  9  --consume cannot work here (ramfs, no hole punching, memfd_noexec); nothing\n"
	       "     was used up or loaded: run without --consume\n"
	       "A run that detaches (a terminal, ssh, --detach) exits 0 when the reboot is\n"
	       "scheduled, before it starts: a later failure (exit 8, kernel unloaded) is only\n"
	       "in the kernel log and the log file (--log), with --json as an error line.\n",
	       argv0, KEXE_DEFAULT_DELAY);
}
