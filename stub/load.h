/* Handing the payload to the running kernel, and explaining its refusals. */
#ifndef KEXE_LOAD_H
#define KEXE_LOAD_H

#include "err.h"
#include "host.h"
#include "payload.h"

/* Loads the payload through the seam: with kexec_load (legacy non-zero) or kexec_file_load.
 * When may_fall_back is non-zero (--syscall auto) and this loader has a kexec_load path for the
 * kernel, it loads with kexec_load instead, saying so on stderr and in --json, when
 * kexec_file_load is missing (ENOSYS, arm64) or refuses the kernel in a way
 * kexe_load_may_retry() allows. On failure returns -1 with err holding one line:
 * "<syscall>: <errno text>: <likely cause from the host facts>; <what to do>", after a retry
 * prefixed with what kexec_file_load answered. */
int kexe_load(const struct kexe_payload *p, const struct kexe_host *h, int legacy,
	      int may_fall_back, struct kexe_err *err);

/* Whether kexec_file_load's refusal with errno e may be retried with kexec_load on host h, as
 * `kexec -a` does: never under lockdown, secure boot or an IMA kexec policy (a signature policy
 * refused the kernel, and kexec_load would get around it or be refused too). ENOEXEC and EINVAL
 * otherwise; EKEYREJECTED and EBADMSG only when lockdown is known to be off ("none") and secure
 * boot known to be off (0), since an unknown state may be the policy that refused it. */
int kexe_load_may_retry(const struct kexe_host *h, int e);

/* Unloads a loaded kernel (after a failed reboot), so the host is as it was. */
void kexe_unload(void);

/* Explains errno e from call ("kexec_file_load" or "kexec_load") into err, given the host
 * facts and payload. */
int kexe_load_error(const char *call, int e, const struct kexe_payload *p,
		    const struct kexe_host *h, struct kexe_err *err);

#endif
