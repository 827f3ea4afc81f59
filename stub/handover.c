#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "detach.h"
#include "handover.h"
#include "load.h"
#include "remount.h"
#include "seam.h"

/* Undo a load whose reboot did not happen, so the running system is as it was. */
static int give_back(const char *why, struct kexe_err *err)
{
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

	kexe_detach_note("rebooting into the loaded kernel now");
	kexe_remount_readonly(&remounted); /* last: it may freeze the file system of stderr */
	if (kexe_seam.reboot_kexec() == 0)
		return 0; /* only the fake seam returns */
	snprintf(why, sizeof why, "reboot into the loaded kernel failed: %s", strerror(errno));
	kexe_remount_restore(&remounted);
	return give_back(why, err);
}

int kexe_handover(const struct stub_options *o, const struct kexe_host *h, struct kexe_err *err)
{
	int rc;

	if (o->detach == DETACH_ALWAYS || (o->detach == DETACH_AUTO && kexe_should_detach())) {
		fprintf(
		    stderr,
		    "kexe: kernel loaded; rebooting into it in %d s, detached from this session "
		    "(messages go to the kernel log and %s)\n",
		    o->delay, KEXE_DETACH_LOG);
		rc = kexe_detach(o->delay, err);
		if (rc != 0)
			return rc < 0 ? give_back(err->msg, err) : 0;
	}
	if (!strcmp(h->pid1, "systemd") && !o->force)
		rc = via_systemd(err);
	else
		rc = directly(err);
	if (rc) {
		/* stderr gets the message from the caller; a detached run's only witness is the
		 * kernel log */
		char line[sizeof err->msg + 8];
		snprintf(line, sizeof line, "kexe: %s\n", err->msg);
		kexe_seam.log_kernel(line);
	}
	return rc;
}
