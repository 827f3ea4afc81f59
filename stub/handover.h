/* Handing the machine over to the loaded kernel. */
#ifndef KEXE_HANDOVER_H
#define KEXE_HANDOVER_H

#include "err.h"
#include "host.h"
#include "options.h"
#include "payload.h"

/* The hand-over window runs from the first kexec call until the reboot, or until the kernel was
 * unloaded again: a loader stopped inside it would leave a loaded kernel and file systems
 * remounted read-only. guard_begin holds back SIGHUP, SIGINT, SIGQUIT and SIGTERM (recorded,
 * not acted on) and ignores SIGPIPE (a closed stderr, a dropped ssh channel) and job-control
 * stops. guard_end restores the dispositions and then delivers a signal held back, so it ends
 * the process after the run has been reported. */
void kexe_handover_guard_begin(void);
void kexe_handover_guard_end(void);

/* After a successful load the kernel has its own copy: closes and frees the payload (memfds,
 * staged files, the initrd mapping) and, under --consume, the writable bundle descriptor (its
 * number is kept, now open on /dev/null), so no file stays open through the delay and the
 * read-only remount. */
void kexe_handover_release(struct kexe_payload *p);

/* Called after a successful load. Detaches from the caller first when o asks for it (the
 * parent then returns 0 at once, so an ssh session ends cleanly: the reboot is scheduled, not
 * started; the child logs to /dev/kmsg and the log file, with --json its JSON lines too, and
 * waits o->delay seconds). Then: `systemctl kexec` when systemd is pid 1 (unless o->force),
 * else sync, remount block-device file systems read-only, and reboot into the loaded kernel.
 * On failure returns -1 with err (KEXE_EXIT_REBOOT) after unloading the kernel and undoing the
 * remounts, so the running system goes on as before. */
int kexe_handover(const struct stub_options *o, const struct kexe_host *h, struct kexe_err *err);

#endif
