#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "version.h"

void kexe_json_init(struct kexe_json *j, FILE *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

/* Before any value or key: the comma that separates it from the previous one. */
static void separate(struct kexe_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth && j->count[j->depth - 1]++)
		fputc(',', j->out);
}

/* Nesting deeper than KEXE_JSON_MAX_DEPTH is a bug in the caller; it is not written. */
static void open_level(struct kexe_json *j, char c)
{
	if (j->depth == KEXE_JSON_MAX_DEPTH)
		return;
	separate(j);
	fputc(c, j->out);
	j->count[j->depth] = 0;
	j->array[j->depth] = c == '[';
	j->depth++;
}

void kexe_json_object(struct kexe_json *j)
{
	open_level(j, '{');
}

void kexe_json_array(struct kexe_json *j)
{
	open_level(j, '[');
}

void kexe_json_end(struct kexe_json *j)
{
	if (!j->depth)
		return;
	j->depth--;
	fputc(j->array[j->depth] ? ']' : '}', j->out);
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void kexe_json_write_string(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
			i++;
		} else if (c == '\n') {
			fputs("\\n", out);
			i++;
		} else if (c == '\t') {
			fputs("\\t", out);
			i++;
		} else if (c == '\r') {
			fputs("\\r", out);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else if ((n = utf8_length(s + i, len - i)) == 0) {
			fputs("\\ufffd", out);
			i++;
		} else {
			fwrite(s + i, 1, n, out);
			i += n;
		}
	}
	fputc('"', out);
}

void kexe_json_strn(struct kexe_json *j, const char *s, size_t len)
{
	separate(j);
	kexe_json_write_string(j->out, s, len);
}

void kexe_json_str(struct kexe_json *j, const char *s)
{
	if (!s)
		kexe_json_null(j);
	else
		kexe_json_strn(j, s, strlen(s));
}

void kexe_json_u64(struct kexe_json *j, uint64_t v)
{
	separate(j);
	fprintf(j->out, "%" PRIu64, v);
}

void kexe_json_i64(struct kexe_json *j, int64_t v)
{
	separate(j);
	fprintf(j->out, "%" PRId64, v);
}

void kexe_json_bool(struct kexe_json *j, int v)
{
	separate(j);
	fputs(v ? "true" : "false", j->out);
}

void kexe_json_null(struct kexe_json *j)
{
	separate(j);
	fputs("null", j->out);
}

void kexe_json_hex64(struct kexe_json *j, uint64_t v)
{
	separate(j);
	fprintf(j->out, "\"%016" PRIx64 "\"", v);
}

void kexe_json_keyn(struct kexe_json *j, const char *key, size_t len)
{
	separate(j);
	kexe_json_write_string(j->out, key, len);
	fputc(':', j->out);
	j->after_key = 1;
}

void kexe_json_key(struct kexe_json *j, const char *key)
{
	kexe_json_keyn(j, key, strlen(key));
}

void kexe_json_kstr(struct kexe_json *j, const char *key, const char *s)
{
	kexe_json_key(j, key);
	kexe_json_str(j, s);
}

void kexe_json_ku64(struct kexe_json *j, const char *key, uint64_t v)
{
	kexe_json_key(j, key);
	kexe_json_u64(j, v);
}

void kexe_json_ki64(struct kexe_json *j, const char *key, int64_t v)
{
	kexe_json_key(j, key);
	kexe_json_i64(j, v);
}

void kexe_json_kbool(struct kexe_json *j, const char *key, int v)
{
	kexe_json_key(j, key);
	kexe_json_bool(j, v);
}

void kexe_json_newline(struct kexe_json *j)
{
	while (j->depth)
		kexe_json_end(j);
	j->after_key = 0;
	fputc('\n', j->out);
	fflush(j->out);
}

void kexe_json_header(struct kexe_json *j)
{
	kexe_json_ku64(j, "kexe_json", KEXE_JSON_SCHEMA);
	kexe_json_kstr(j, "kexe_version", KEXE_VERSION);
}

void kexe_json_begin_document(struct kexe_json *j, FILE *out, const char *type)
{
	kexe_json_init(j, out);
	kexe_json_object(j);
	kexe_json_header(j);
	kexe_json_kstr(j, "type", type);
}

int kexe_json_finish_document(struct kexe_json *j, int rc, const struct kexe_err *err)
{
	kexe_json_kbool(j, "ok", rc == 0);
	kexe_json_ki64(j, "exit_code", rc == 0 ? 0 : err->code);
	if (rc) {
		kexe_json_key(j, "error");
		kexe_json_object(j);
		kexe_json_error_members(j, err);
		kexe_json_end(j);
	}
	kexe_json_newline(j);
	return rc;
}

const char *kexe_exit_category(int code)
{
	static const char *const names[] = {"ok",     "internal", "usage", "bundle", "host",
					    "memory", "kernel",	  "io",	   "reboot", "consume"};

	return code >= 0 && code < (int)(sizeof names / sizeof *names) ? names[code] : "unknown";
}

void kexe_json_error_members(struct kexe_json *j, const struct kexe_err *err)
{
	const char *split = NULL, *name = kexe_errno_name(err->sys_errno);
	int depth = 0;

	/* the first "; " outside parentheses: causes explain themselves in parentheses, and
	 * advice may have a "; " of its own ("reboot normally; it stays disabled until then") */
	for (const char *p = err->msg; *p && !split; p++) {
		depth += *p == '(' ? 1 : *p == ')' && depth ? -1 : 0;
		if (!depth && p[0] == ';' && p[1] == ' ')
			split = p;
	}
	kexe_json_ki64(j, "exit_code", err->code);
	kexe_json_kstr(j, "category", kexe_exit_category(err->code));
	kexe_json_kstr(j, "message", err->msg);
	kexe_json_key(j, "cause");
	kexe_json_strn(j, err->msg, split ? (size_t)(split - err->msg) : strlen(err->msg));
	kexe_json_kstr(j, "advice", split ? split + 2 : "");
	kexe_json_key(j, "errno");
	if (err->sys_errno)
		kexe_json_i64(j, err->sys_errno);
	else
		kexe_json_null(j);
	kexe_json_kstr(j, "errno_name", err->sys_errno ? name : NULL);
}

const char *kexe_errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
	    {EPERM, "EPERM"},
	    {ENOENT, "ENOENT"},
	    {EINTR, "EINTR"},
	    {EIO, "EIO"},
	    {E2BIG, "E2BIG"},
	    {ENOEXEC, "ENOEXEC"},
	    {EBADF, "EBADF"},
	    {EAGAIN, "EAGAIN"},
	    {ENOMEM, "ENOMEM"},
	    {EACCES, "EACCES"},
	    {EFAULT, "EFAULT"},
	    {EBUSY, "EBUSY"},
	    {EEXIST, "EEXIST"},
	    {ENOTDIR, "ENOTDIR"},
	    {EISDIR, "EISDIR"},
	    {EINVAL, "EINVAL"},
	    {ETXTBSY, "ETXTBSY"},
	    {EFBIG, "EFBIG"},
	    {ENOSPC, "ENOSPC"},
	    {EROFS, "EROFS"},
	    {ENOSYS, "ENOSYS"},
	    {EOVERFLOW, "EOVERFLOW"},
	    {EBADMSG, "EBADMSG"},
	    {EOPNOTSUPP, "EOPNOTSUPP"},
	    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	    {ENOKEY, "ENOKEY"},
	    {EKEYREJECTED, "EKEYREJECTED"},
	    {ECHILD, "ECHILD"},
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].e == e)
			return names[i].name;
	return NULL;
}
