/* Leaving the caller's terminal or ssh session before the reboot. */
#ifndef KEXE_DETACH_H
#define KEXE_DETACH_H

#include "err.h"

/* Where a detached run writes its messages besides /dev/kmsg, unless --log names another file.
 * There is no fallback in a world-writable directory such as /tmp: anyone could plant a link or
 * a FIFO there under the fixed name. */
#define KEXE_DETACH_LOG "/run/kexe.log"

/* Non-zero when stdin is a terminal or the process runs under ssh: the caller's session would
 * hang or be cut when the machine goes down under it. */
int kexe_should_detach(void);

/* Opens path for appending, only as a regular file of this user with one link: a symlink is not
 * followed, a FIFO or device neither blocks the open nor is used, another user's file or a hard
 * link to a file elsewhere is refused. Creates it (mode 0600) when missing. Returns the
 * descriptor (O_APPEND, O_CLOEXEC, blocking), or -1 with errno (ELOOP, ENXIO, EPERM, ...). */
int kexe_detach_open_log(const char *path);

/* Forks. The parent gets 1 and should return at once. The child gets 0 in a new session with
 * stdin from /dev/null, stdout and stderr appended to the log file at path (or /dev/null when
 * it cannot be used safely, which the kernel log is told), and no other descriptor open. -1
 * with err when fork fails. */
int kexe_detach(const char *path, struct kexe_err *err);

/* Sleeps seconds, also through signals. */
void kexe_detach_sleep(int seconds);

/* Writes "kexe: <msg>" to the kernel log (through the seam) and to stderr; a failed write to
 * stderr is ignored (the kernel log has the line). */
void kexe_detach_note(const char *msg);

#endif
