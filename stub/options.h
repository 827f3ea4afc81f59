/* The bundle's command line. */
#ifndef KEXE_OPTIONS_H
#define KEXE_OPTIONS_H

#include "err.h"
#include "format.h"

#define KEXE_MAX_APPEND 32
#define KEXE_MAX_CARRY_FILES 64
#define KEXE_DEFAULT_DELAY 5
#define KEXE_MAX_FALLBACK 3600

enum stub_mode {
	STUB_RUN,	/* load and reboot into the payload */
	STUB_LOAD_ONLY, /* load, then return */
	STUB_DRY_RUN,	/* every check and decompression, no kexec */
	STUB_CHECK,	/* preflight only */
	STUB_INFO,
	STUB_EXTRACT,
	STUB_VERSION,
	STUB_HELP,
};

enum stub_syscall {
	SYSCALL_AUTO,	/* kexec_file_load unless memory is short and kexec_load is allowed */
	SYSCALL_FILE,	/* kexec_file_load */
	SYSCALL_LEGACY, /* kexec_load (x86_64) */
};

enum stub_detach {
	DETACH_AUTO,   /* when stdin is a terminal or we run under ssh */
	DETACH_NEVER,  /* --foreground */
	DETACH_ALWAYS, /* --detach: also without a terminal or ssh (kexec/run, scripts) */
};

struct stub_options {
	enum stub_mode mode;
	const char *extract_dir;
	const char *cmdline; /* replaces the packed command line */
	int reuse_cmdline;   /* the running kernel's command line replaces the packed one */
	int reuse_console;   /* the running kernel's console arguments are appended */
	char *append[KEXE_MAX_APPEND]; /* appended in order */
	unsigned n_append;
	char *initrds[KEXE_MAX_INITRDS]; /* extra initrds, appended after the packed ones */
	unsigned n_initrds;
	int no_memory_check;
	int consume; /* free the bundle file's pages as it is unpacked */
	enum stub_syscall syscall;
	const char *stage_dir; /* --stage-dir: unpack into files there, not memfds */
	enum stub_detach detach;
	int delay;	 /* seconds between detaching and the reboot */
	const char *log; /* --log: the detached run's log file (NULL: KEXE_DETACH_LOG) */
	int force;	 /* reboot directly even when systemd is pid 1 */
	int carry_ssh_keys;
	int carry_network;
	char *carry_files[KEXE_MAX_CARRY_FILES]; /* "SRC:DEST" */
	unsigned n_carry_files;
	int json;     /* --json: report on stdout as JSON (docs/JSON.md) */
	int fallback; /* --fallback SECONDS: watchdog and panic timeout; 0 when not given */
};

/* Parses argv (after argv[0]); both "--flag value" and "--flag=value" work. Returns 0, or -1
 * with err (KEXE_EXIT_USAGE). Strings point into argv. */
int stub_parse_options(int argc, char **argv, struct stub_options *o, struct kexe_err *err);

/* The --help text. */
void stub_print_help(const char *argv0);

#endif
