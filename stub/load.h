/* Handing the payload to the running kernel, and explaining its refusals. */
#ifndef KEXE_LOAD_H
#define KEXE_LOAD_H

#include "err.h"
#include "host.h"
#include "payload.h"

/* Loads the payload through the seam: with kexec_load (legacy non-zero) or kexec_file_load.
 * When kexec_file_load is missing (ENOSYS, arm64) and may_fall_back is non-zero, it loads with
 * kexec_load instead and says so. On failure returns -1 with err holding one line:
 * "<syscall>: <errno text>: <likely cause from the host facts>; <what to do>". */
int kexe_load(const struct kexe_payload *p, const struct kexe_host *h, int legacy,
	      int may_fall_back, struct kexe_err *err);

/* Unloads a loaded kernel (after a failed reboot), so the host is as it was. */
void kexe_unload(void);

/* Explains errno e from call ("kexec_file_load" or "kexec_load") into err, given the host
 * facts and payload. */
int kexe_load_error(const char *call, int e, const struct kexe_payload *p,
		    const struct kexe_host *h, struct kexe_err *err);

#endif
