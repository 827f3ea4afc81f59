#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int kexe_fail(struct kexe_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int kexe_fail_errno(struct kexe_err *err, int code, int e, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->sys_errno = e;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int kexe_report(const struct kexe_err *err)
{
	fprintf(stderr, "kexe: %s\n", err->msg);
	return err->code;
}
