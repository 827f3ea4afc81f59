/* Handing the payload to the running kernel, and explaining its refusals. */
#ifndef KEXE_LOAD_H
#define KEXE_LOAD_H

#include "err.h"
#include "host.h"
#include "payload.h"

/* Calls kexec_file_load through the seam. On failure returns -1 with err holding one line:
 * "kexec_file_load: <errno text>: <likely cause from the host facts>; <what to do>". */
int kexe_load(const struct kexe_payload *p, const struct kexe_host *h, struct kexe_err *err);

/* Unloads a loaded kernel (after a failed reboot), so the host is as it was. */
void kexe_unload(void);

/* Explains errno e from kexec_file_load into err, given the host facts and payload. */
int kexe_load_error(int e, const struct kexe_payload *p, const struct kexe_host *h,
		    struct kexe_err *err);

#endif
