/* --fallback SECONDS: a way back from a jump that fails (docs/FALLBACK.md). Just before the
 * reboot the hardware watchdog is armed with SECONDS and left running; the new kernel gets
 * panic=SECONDS and panic_on_oops=1, and a watchdog core that stops feeding a running watchdog
 * SECONDS after it registered it. Only a new system that takes the watchdog over (systemd's
 * RuntimeWatchdogSec) or stops it ('V') keeps running; anything else is reset by the firmware
 * into the system on the disk, which the jump did not touch. */
#ifndef KEXE_FALLBACK_H
#define KEXE_FALLBACK_H

#include "err.h"

#define KEXE_FALLBACK_WORDS 4
#define KEXE_FALLBACK_WORD_MAX 40

/* The command line words for seconds (none when 0), appended after every --append so they
 * win over an earlier panic=. Returns how many were written into words. */
unsigned kexe_fallback_words(int seconds, char words[][KEXE_FALLBACK_WORD_MAX]);

/* Arms the first hardware watchdog with seconds and returns its descriptor, kept open until
 * the reboot, with its identity in identity. Without a hardware watchdog (none, or only
 * softdog) says so on stderr and in the kernel log and returns -1: panic=SECONDS still covers
 * a panic. Any other failure (busy, a timeout the driver refuses) returns -2 with err
 * (KEXE_EXIT_REBOOT): the caller gives back rather than jump without the way back it was
 * asked for. */
int kexe_fallback_arm(int seconds, char *identity, unsigned size, struct kexe_err *err);

/* Stops what kexe_fallback_arm started (magic close) and sets *fd to -1; no-op for -1. */
void kexe_fallback_disarm(int *fd);

#endif
