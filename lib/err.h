/* Errors: every failure carries an exit code (its category) and one line for the user that
 * names the cause and what to do. The message never starts with "kexe: "; the printer adds it. */
#ifndef KEXE_ERR_H
#define KEXE_ERR_H

/* Exit codes, documented in --help and README.md. */
enum kexe_exit {
	KEXE_EXIT_OK = 0,
	KEXE_EXIT_INTERNAL = 1, /* a bug or an unexpected system error */
	KEXE_EXIT_USAGE = 2,	/* bad command line */
	KEXE_EXIT_BUNDLE = 3,	/* bundle damaged, truncated, or not for this machine */
	KEXE_EXIT_HOST = 4,	/* this host does not permit kexec (root, lockdown, container) */
	KEXE_EXIT_MEMORY = 5,	/* not enough memory for the payload */
	KEXE_EXIT_KERNEL = 6,	/* the running kernel refused to load the new one */
	KEXE_EXIT_IO = 7,	/* reading or writing a file failed */
	KEXE_EXIT_REBOOT = 8,	/* the kernel was loaded but the reboot into it failed */
	KEXE_EXIT_CONSUME = 9,	/* --consume cannot work here; nothing was used up or loaded */
};

struct kexe_err {
	int code;
	char msg[512];
	int sys_errno; /* the errno behind the failure, 0 when none (reported by --json) */
};

/* Sets err (when not NULL) to code and the printf-formatted message; returns -1 so callers can
 * write `return kexe_fail(err, ...)`. */
int kexe_fail(struct kexe_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same for a failed system call: also records errno e in err->sys_errno. */
int kexe_fail_errno(struct kexe_err *err, int code, int e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints "kexe: <msg>" on stderr and returns err->code. */
int kexe_report(const struct kexe_err *err);

#endif
