#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "detach.h"
#include "fallback.h"
#include "seam.h"

unsigned kexe_fallback_words(int seconds, char words[][KEXE_FALLBACK_WORD_MAX])
{
	if (seconds <= 0)
		return 0;
	snprintf(words[0], KEXE_FALLBACK_WORD_MAX, "panic=%d", seconds);
	snprintf(words[1], KEXE_FALLBACK_WORD_MAX, "panic_on_oops=1");
	/* a driver that finds its watchdog running (iTCO_wdt, ...) is fed by the watchdog core
	 * until user space opens it: by default forever, which would hide a hung user space */
	snprintf(words[2], KEXE_FALLBACK_WORD_MAX, "watchdog.handle_boot_enabled=1");
	snprintf(words[3], KEXE_FALLBACK_WORD_MAX, "watchdog.open_timeout=%d", seconds);
	return KEXE_FALLBACK_WORDS;
}

int kexe_fallback_arm(int seconds, char *identity, unsigned size, struct kexe_err *err)
{
	char note[200];
	int fd;

	identity[0] = 0;
	fd = kexe_seam.watchdog_arm(seconds, identity, size);
	if (fd >= 0) {
		snprintf(note, sizeof note,
			 "fallback: watchdog %s armed for %d s; the new system must take it over "
			 "or this one comes back",
			 identity, seconds);
		kexe_detach_note(note);
		return fd;
	}
	if (errno == ENOENT || errno == ENODEV) {
		snprintf(note, sizeof note,
			 "fallback: no hardware watchdog%s; only a panic of the new kernel "
			 "resets (panic=%d), a hang does not",
			 errno == ENODEV ? " (softdog dies with this kernel)" : "", seconds);
		kexe_detach_note(note);
		return -1;
	}
	kexe_fail(err, KEXE_EXIT_REBOOT,
		  "--fallback: cannot arm the watchdog (%s%s); stop whatever holds it (systemd's "
		  "RuntimeWatchdogSec, a watchdog daemon) or choose a timeout it accepts",
		  strerror(errno), errno == EBUSY ? ": it is in use" : "");
	return -2;
}

void kexe_fallback_disarm(int *fd)
{
	if (*fd < 0)
		return;
	kexe_seam.watchdog_disarm(*fd);
	*fd = -1;
}
