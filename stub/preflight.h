/* Preflight: every reason this host cannot (or should not) load this payload, decided from the
 * host facts and the kernel header before anything is decompressed. `--check` prints them all;
 * a run stops at the first failure. */
#ifndef KEXE_PREFLIGHT_H
#define KEXE_PREFLIGHT_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "host.h"
#include "kernel.h"
#include "options.h"

enum kexe_level { KEXE_PASS, KEXE_WARN, KEXE_FAIL };

struct kexe_verdict {
	const char *check; /* short name: "root", "memory", ... */
	enum kexe_level level;
	int code;	/* exit code when level is KEXE_FAIL */
	char text[448]; /* what was found; for a failure also what to do */
};

/* What is about to be loaded. */
struct kexe_plan {
	struct kexe_kernel_info kernel;
	uint64_t kernel_file;	   /* bytes of the kernel image */
	uint64_t initrd;	   /* bytes of all initrds together */
	int memory_check;	   /* 0: report memory but never fail on it */
	uint64_t released;	   /* RAM freed while unpacking (a consumed bundle on tmpfs) */
	enum stub_syscall syscall; /* what the user asked for */
	const char *stage_dir;	   /* where staging on disk could go, or NULL */
	int stage_forced;	   /* --stage-dir was given */
	int mappable;		   /* kexec_load can read the initrd from the bundle itself */
	int fallback;		   /* --fallback seconds, 0 when not asked for */
};

#define KEXE_MAX_VERDICTS 12

struct kexe_preflight {
	int legacy; /* the run loads with kexec_load */
	int staged; /* the payload is unpacked into files on disk */
	int mapped; /* kexec_load reads the initrd from the bundle's own pages (no copy of ours) */
	unsigned count;
	struct kexe_verdict verdicts[KEXE_MAX_VERDICTS];
};

/* Decides every check for host h and plan p, in a fixed order, and which syscall loads:
 * kexec_file_load, unless the user asked for kexec_load or (auto) memory suffices only for
 * kexec_load and nothing requires signed kernels (lockdown, secure boot). */
void kexe_preflight_run(const struct kexe_host *h, const struct kexe_plan *p,
			struct kexe_preflight *out);

/* The first failed verdict as an error (returns -1), or 0 when nothing failed. */
int kexe_preflight_verdict(const struct kexe_preflight *pf, struct kexe_err *err);

/* One line per check: "pass  root: ...", "WARN  lockdown: ...", "FAIL  memory: ...". */
void kexe_preflight_print(FILE *out, const struct kexe_preflight *pf);

#endif
