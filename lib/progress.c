#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define MIB (1024.0 * 1024.0)

void (*kexe_progress_observer)(const struct kexe_progress *p, int final);

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kexe_progress_start(struct kexe_progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->shown = 0;
	p->enabled = isatty(STDERR_FILENO);
	p->started_ms = p->drawn_ms = p->observed_ms = now_ms();
}

/* "kexe: packing 24/64 MiB ( 38%) 56 MiB/s, 1 s left", or at the end "..., done in 1.1 s".
 * Work may count a little past total (a bundle's small sections): shown as 100%. */
static void draw(struct kexe_progress *p, int64_t t, int final)
{
	uint64_t done = p->done < p->total ? p->done : p->total;
	double secs = (double)(t - p->started_ms) / 1000.0;
	double rate = secs > 0 ? (double)p->done / MIB / secs : 0;
	double left = rate > 0 ? ((double)(p->total - done) / MIB) / rate : 0;

	fprintf(stderr, "\rkexe: %s %.0f/%.0f MiB (%3.0f%%) %.0f MiB/s, ", p->label,
		(double)done / MIB, (double)p->total / MIB,
		p->total ? 100.0 * (double)done / (double)p->total : 100.0, rate);
	if (final)
		fprintf(stderr, "done in %.1f s   ", secs);
	else
		fprintf(stderr, "%.0f s left   ", left);
	p->drawn_ms = t;
	p->shown = 1;
}

void kexe_progress_add(void *ctx, uint64_t bytes)
{
	struct kexe_progress *p = ctx;
	int64_t t;

	p->done += bytes;
	if (!p->enabled && !kexe_progress_observer)
		return;
	t = now_ms();
	if (p->enabled && t - p->drawn_ms >= 200)
		draw(p, t, 0);
	if (kexe_progress_observer && t - p->observed_ms >= 1000) {
		p->observed_ms = t;
		kexe_progress_observer(p, 0);
	}
}

void kexe_progress_end(struct kexe_progress *p)
{
	if (kexe_progress_observer)
		kexe_progress_observer(p, 1);
	if (p->shown) {
		draw(p, now_ms(), 1);
		fputc('\n', stderr);
	}
	p->shown = 0;
}
