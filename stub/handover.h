/* Handing the machine over to the loaded kernel. */
#ifndef KEXE_HANDOVER_H
#define KEXE_HANDOVER_H

#include "err.h"
#include "host.h"
#include "options.h"

/* Called after a successful load. Detaches from the caller first when o asks for it (the
 * parent then returns 0 at once, so an ssh session ends cleanly; the child waits o->delay
 * seconds and logs to /dev/kmsg and a log file). Then: `systemctl kexec` when systemd is pid 1
 * (unless o->force), else sync, remount block-device file systems read-only, and reboot into
 * the loaded kernel. On failure returns -1 with err (KEXE_EXIT_REBOOT) after unloading the
 * kernel and undoing the remounts, so the running system goes on as before. */
int kexe_handover(const struct stub_options *o, const struct kexe_host *h, struct kexe_err *err);

#endif
