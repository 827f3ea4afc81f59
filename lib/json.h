/* Writing JSON for --json (docs/JSON.md has every document and line): a small streaming
 * writer that places commas and colons itself, so callers only say what comes next. Output is
 * compact: one document, or one JSON line per event, each ended with a newline by the caller.
 * Strings are escaped for JSON and always valid UTF-8: a byte that is not part of valid UTF-8
 * (bundles may hold anything in their command line) is written as U+FFFD. */
#ifndef KEXE_JSON_H
#define KEXE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Version of the JSON schemas in docs/JSON.md; every document and line carries it as
 * "kexe_json". Bumped only for changes that break readers (a removed or retyped field). */
#define KEXE_JSON_SCHEMA 1
#define KEXE_JSON_MAX_DEPTH 16

struct kexe_json {
	FILE *out;
	unsigned depth;
	unsigned count[KEXE_JSON_MAX_DEPTH];	  /* members or elements written at each level */
	unsigned char array[KEXE_JSON_MAX_DEPTH]; /* that level is an array, not an object */
	int after_key;				  /* a key was written; its value comes next */
};

void kexe_json_init(struct kexe_json *j, FILE *out);

/* Values: at the top level, as an array element, or after kexe_json_key(). */
void kexe_json_object(struct kexe_json *j);		/* opens {; close with kexe_json_end() */
void kexe_json_array(struct kexe_json *j);		/* opens [; close with kexe_json_end() */
void kexe_json_end(struct kexe_json *j);		/* closes the innermost object or array */
void kexe_json_str(struct kexe_json *j, const char *s); /* NULL writes null */
void kexe_json_strn(struct kexe_json *j, const char *s, size_t len);
void kexe_json_u64(struct kexe_json *j, uint64_t v);
void kexe_json_i64(struct kexe_json *j, int64_t v);
void kexe_json_bool(struct kexe_json *j, int v);
void kexe_json_null(struct kexe_json *j);
void kexe_json_hex64(struct kexe_json *j, uint64_t v); /* "0123456789abcdef" */

/* An object member's key; the next call writes its value. */
void kexe_json_key(struct kexe_json *j, const char *key);
void kexe_json_keyn(struct kexe_json *j, const char *key, size_t len);

/* Key and value in one call. */
void kexe_json_kstr(struct kexe_json *j, const char *key, const char *s);
void kexe_json_ku64(struct kexe_json *j, const char *key, uint64_t v);
void kexe_json_ki64(struct kexe_json *j, const char *key, int64_t v);
void kexe_json_kbool(struct kexe_json *j, const char *key, int v);

/* Ends the current top-level document with a newline and flushes it (for JSON lines: one
 * call per line). Closes whatever is still open first. */
void kexe_json_newline(struct kexe_json *j);

/* The members every top-level document and line starts with: "kexe_json" (the schema
 * version) and "kexe_version". */
void kexe_json_header(struct kexe_json *j);

/* Starts a top-level document on out: {, the header, "type": type. */
void kexe_json_begin_document(struct kexe_json *j, FILE *out, const char *type);

/* Ends a document begun above: "ok", "exit_code" and, when rc is not 0, the "error" object for
 * err; then the newline. Returns rc. */
int kexe_json_finish_document(struct kexe_json *j, int rc, const struct kexe_err *err);

/* An "error" object's members for err: exit_code, category (the exit code's name: "bundle",
 * "host", ...), message (the whole line), cause and advice (the message split at its first
 * "; " outside parentheses, which separates what went wrong from what to do; advice is ""
 * when there is none),
 * errno and errno_name (null when the error did not come from a system call). */
void kexe_json_error_members(struct kexe_json *j, const struct kexe_err *err);

/* Writes s (len bytes) as a quoted JSON string to out. */
void kexe_json_write_string(FILE *out, const char *s, size_t len);

/* "EPERM" for EPERM, ...; NULL for an errno it does not know. */
const char *kexe_errno_name(int e);

/* "internal", "usage", "bundle", "host", "memory", "kernel", "io", "reboot" for exit codes
 * 1 to 8; "ok" for 0. */
const char *kexe_exit_category(int code);

#endif
