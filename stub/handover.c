#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "detach.h"
#include "fallback.h"
#include "handover.h"
#include "load.h"
#include "remount.h"
#include "report_json.h"
#include "seam.h"

/* Held back through the window: by default each would end the loader half way. A handler that
 * records them rather than sigprocmask, whose mask would be inherited through exec by
 * systemctl (and anything else the seam runs), which must stay killable. */
static const int held[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
/* Ignored through the window: a write to a closed stderr or stdout must fail, not kill, and a
 * stop (^Z, a background write to the terminal) must not freeze a host with read-only disks. */
static const int dropped[] = {SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU};
#define N_HELD (sizeof held / sizeof *held)
#define N_DROPPED (sizeof dropped / sizeof *dropped)

static struct {
	int active;
	struct sigaction saved[N_HELD + N_DROPPED];
} guard;
static volatile sig_atomic_t held_signal;
/* The watchdog --fallback armed: open until the reboot, stopped again when we give back. */
static int watchdog_fd = -1;

static void hold(int sig)
{
	held_signal = sig;
}

void kexe_handover_guard_begin(void)
{
	struct sigaction sa = {.sa_flags = SA_RESTART};

	if (guard.active)
		return;
	sigfillset(&sa.sa_mask);
	sa.sa_handler = hold;
	for (size_t i = 0; i < N_HELD; i++)
		sigaction(held[i], &sa, &guard.saved[i]);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < N_DROPPED; i++)
		sigaction(dropped[i], &sa, &guard.saved[N_HELD + i]);
	guard.active = 1;
}

void kexe_handover_guard_end(void)
{
	int sig = held_signal;

	if (!guard.active)
		return;
	for (size_t i = 0; i < N_HELD; i++)
		sigaction(held[i], &guard.saved[i], NULL);
	for (size_t i = 0; i < N_DROPPED; i++)
		sigaction(dropped[i], &guard.saved[N_HELD + i], NULL);
	guard.active = 0;
	held_signal = 0;
	if (sig)
		raise(sig);
}

void kexe_handover_release(struct kexe_payload *p)
{
	int null;

	kexe_payload_free(p);
	if (p->release_fd < 0)
		return;
	/* main() still closes this number; /dev/null keeps it valid without the bundle open */
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0 && null != p->release_fd) {
		dup3(null, p->release_fd, O_CLOEXEC);
		close(null);
	}
	p->release_fd = -1;
}

/* Undo a load whose reboot did not happen, so the running system is as it was. */
static int give_back(const char *why, struct kexe_err *err)
{
	/* a ticking watchdog would reset the system that was promised to go on */
	kexe_fallback_disarm(&watchdog_fd);
	kexe_unload();
	return kexe_fail(err, KEXE_EXIT_REBOOT,
			 "%s; the new kernel was unloaded and this system keeps running", why);
}

static int via_systemd(struct kexe_err *err)
{
	char why[160];
	int status;

	kexe_detach_note("systemd runs this host: asking it to stop services and kexec "
			 "(systemctl kexec)");
	status = kexe_seam.systemctl_kexec();
	if (status == 0)
		return 0;
	if (status < 0)
		snprintf(why, sizeof why,
			 "cannot run systemctl kexec (%s); rerun with --force to "
			 "reboot directly",
			 strerror(errno));
	else
		snprintf(why, sizeof why,
			 "systemctl kexec failed (exit %d); rerun with --force to "
			 "reboot directly",
			 status);
	return give_back(why, err);
}

static int directly(struct kexe_err *err)
{
	struct kexe_remounted remounted;
	char why[160];

	/* said before the remount: the log file may be on a file system about to turn read-only,
	 * and a write to one it freezes would block */
	kexe_detach_note("rebooting into the loaded kernel now");
	kexe_remount_readonly(&remounted);
	if (kexe_seam.reboot_kexec() == 0)
		return 0; /* only the fake seam returns */
	snprintf(why, sizeof why, "reboot into the loaded kernel failed: %s", strerror(errno));
	kexe_remount_restore(&remounted);
	return give_back(why, err);
}

/* Returns 1 in the parent, which should return 0 at once, 0 in the detached child after the
 * delay, -1 with err (the kernel unloaded) when it could not detach. */
static int detach(const struct stub_options *o, struct kexe_err *err)
{
	const char *log = o->log ? o->log : KEXE_DETACH_LOG;
	int rc;

	/* may fail (a closed stderr): the guard ignores SIGPIPE, and the run goes on */
	fprintf(stderr,
		"kexe: kernel loaded; rebooting into it in %d s, detached from this session "
		"(messages go to the kernel log and %s)\n",
		o->delay, log);
	rc = kexe_detach(log, err);
	if (rc < 0) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg); /* give_back rewrites err->msg */
		return give_back(why, err);
	}
	if (rc > 0)
		return 1;
	held_signal = 0; /* a signal held back before the fork was the parent's */
	stub_json_detached(o->delay);
	kexe_detach_sleep(o->delay);
	return 0;
}

/* Armed after the load and the delay, as the last step before the reboot: a run that stops
 * earlier must not leave a watchdog ticking. Returns -1 (given back) when it cannot be armed. */
static int arm_fallback(const struct stub_options *o, struct kexe_err *err)
{
	char identity[40];
	int fd;

	if (!o->fallback)
		return 0;
	fd = kexe_fallback_arm(o->fallback, identity, sizeof identity, err);
	if (fd == -2) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg); /* give_back rewrites err->msg */
		return give_back(why, err);
	}
	watchdog_fd = fd;
	return 0;
}

int kexe_handover(const struct stub_options *o, const struct kexe_host *h, struct kexe_err *err)
{
	int rc;

	if (o->detach == DETACH_ALWAYS || (o->detach == DETACH_AUTO && kexe_should_detach())) {
		rc = detach(o, err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	rc = arm_fallback(o, err);
	if (rc == 0)
		rc = !strcmp(h->pid1, "systemd") && !o->force ? via_systemd(err) : directly(err);
	if (rc) {
		/* stderr gets the message from the caller; a detached run's only witness is the
		 * kernel log (and its log file) */
		char line[sizeof err->msg + 8];
		snprintf(line, sizeof line, "kexe: %s\n", err->msg);
		kexe_seam.log_kernel(line);
	}
	return rc;
}
