/* Leaving the caller's terminal or ssh session before the reboot. */
#ifndef KEXE_DETACH_H
#define KEXE_DETACH_H

#include "err.h"

/* Where a detached run writes its messages besides /dev/kmsg. */
#define KEXE_DETACH_LOG "/run/kexe.log"
#define KEXE_DETACH_LOG_FALLBACK "/tmp/kexe.log"

/* Non-zero when stdin is a terminal or the process runs under ssh: the caller's session would
 * hang or be cut when the machine goes down under it. */
int kexe_should_detach(void);

/* Forks. The parent gets 1 and should return at once. The child gets 0 in a new session, with
 * stdin from /dev/null and stdout/stderr appended to the log file, after sleeping delay
 * seconds. -1 with err when fork fails. */
int kexe_detach(int delay, struct kexe_err *err);

/* Writes "kexe: <msg>" to the kernel log (through the seam) and to stderr. */
void kexe_detach_note(const char *msg);

#endif
