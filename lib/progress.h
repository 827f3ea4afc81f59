/* Progress of long work (packing, unpacking), shown on stderr only when it is a terminal. */
#ifndef KEXE_PROGRESS_H
#define KEXE_PROGRESS_H

#include <stdint.h>

struct kexe_progress {
	const char *label;
	uint64_t total;
	uint64_t done;
	int shown;   /* a line is on screen */
	int enabled; /* stderr is a terminal */
	int64_t started_ms;
	int64_t drawn_ms;
	int64_t observed_ms;
};

/* When set, called with the progress so far at most once a second and once more (final 1)
 * when it ends, whether or not stderr is a terminal: `./bundle --json` reports it as JSON
 * lines. NULL (the default) for none. */
extern void (*kexe_progress_observer)(const struct kexe_progress *p, int final);

/* Starts a progress line for total bytes of work labelled label ("unpacking"). */
void kexe_progress_start(struct kexe_progress *p, const char *label, uint64_t total);

/* A kexe_progress_fn: adds bytes and redraws at most every 200 ms. ctx is the progress. */
void kexe_progress_add(void *ctx, uint64_t bytes);

/* Ends the line (if one was drawn) so later messages start on their own line. */
void kexe_progress_end(struct kexe_progress *p);

#endif
