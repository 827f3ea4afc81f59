/* --json: what a bundle prints on stdout as JSON (docs/JSON.md). --info, --check, --dry-run and
 * --extract print one document when they end; a run (and --load-only) prints one JSON line per
 * event as it happens: stage, verdict, progress, handover, then done or error. Human messages
 * stay on stderr. Every function is a no-op unless stub_json_start() saw --json, so run.c calls
 * them unconditionally. */
#ifndef KEXE_REPORT_JSON_H
#define KEXE_REPORT_JSON_H

#include "err.h"
#include "format.h"
#include "host.h"
#include "options.h"
#include "payload.h"
#include "preflight.h"

/* Starts the report for options o: opens the document, or (for a run) starts reporting
 * progress as JSON lines. */
void stub_json_start(const struct stub_options *o);

/* Non-zero when --json is on: callers leave out what they would print on stdout. */
int stub_json_active(void);

/* A run enters a stage: "preflight", "unpack", "load", "handover" (lines only). */
void stub_json_stage(const char *stage);

/* The preflight's checks and verdict: a "preflight" member, or a "verdict" line. */
void stub_json_preflight(const struct kexe_preflight *pf, const struct kexe_plan *p,
			 const struct kexe_host *h, int failed);

/* --check: the final command line as a "cmdline" member (nothing when cmdline is NULL). */
void stub_json_cmdline(const char *cmdline);

/* --info: the bundle's description into the document. */
int stub_json_info(int fd, const struct kexe_bundle *b, struct kexe_err *err);

/* --dry-run: what would be loaded, as a "payload" member. */
void stub_json_payload(const struct kexe_payload *p, int legacy);

/* kexec_file_load (call) refused the kernel with errno e and the load is retried with
 * instead ("kexec_load"): a "retry" line (lines only). */
void stub_json_retry(const char *call, int e, const char *instead);

/* A run is about to hand over: how (systemctl kexec or reboot), detached or not, the delay. */
void stub_json_handover(const struct stub_options *o, const struct kexe_host *h);

/* In the detached child, with stdout now the log file: a "detached" line (pid, delay). The
 * child's later lines (its "done" or "error") go to the log too, where a fleet tool finds a
 * reboot that failed after the caller was told 0. */
void stub_json_detached(int delay);

/* Ends the report: the document's ok, exit_code and error, or a "done" or "error" line. err is
 * read only when rc is non-zero. */
void stub_json_finish(int rc, const struct kexe_err *err);

/* Before the bundle could be opened (bad options, own file not found): when argv has --json,
 * prints the error as the document or line the mode would have ended with. Returns err->code
 * after printing the usual "kexe: " line on stderr. */
int stub_json_fail_early(int argc, char **argv, const struct kexe_err *err);

#endif
