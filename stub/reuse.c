#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reuse.h"
#include "seam.h"

#define MAX_RUNNING 16384 /* COMMAND_LINE_SIZE is at most 4096 on the arches kexe loads */

int kexe_reuse_read(const char *option, char **out, struct kexe_err *err)
{
	char *buf = malloc(MAX_RUNNING);
	int fd = buf ? kexe_seam.open_host("/proc/cmdline") : -1;
	ssize_t n = fd >= 0 ? read(fd, buf, MAX_RUNNING - 1) : -1;
	int e = buf ? errno : ENOMEM;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(buf);
		return kexe_fail_errno(err, KEXE_EXIT_IO, e,
				       "%s: cannot read /proc/cmdline: %s; mount /proc, or give "
				       "the arguments with --append instead",
				       option, strerror(e));
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	*out = buf;
	return 0;
}

/* The next argument of s at or after *pos, as the kernel splits them: at blanks outside double
 * quotes. Returns its start and sets *len, or NULL at the end. */
static const char *next_arg(const char *s, size_t *pos, size_t *len)
{
	size_t i = *pos, start;
	int quoted = 0;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (!s[i])
		return NULL;
	for (start = i; s[i] && (quoted || (s[i] != ' ' && s[i] != '\t')); i++)
		if (s[i] == '"')
			quoted = !quoted;
	*pos = i;
	*len = i - start;
	return s + start;
}

/* Whether argument a (len bytes) is named name: "name" alone or "name=...". */
static int named(const char *a, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && !strncmp(a, name, n) && (len == n || a[n] == '=');
}

static int is_init_marker(const char *a, size_t len)
{
	return len == 2 && !strncmp(a, "--", 2);
}

static int is_boot_only(const char *a, size_t len)
{
	static const char *const names[] = {"BOOT_IMAGE", "initrd", "elfcorehdr",
					    "kexec_jump_back_entry"};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (named(a, len, names[i]))
			return 1;
	return 0;
}

static int is_console(const char *a, size_t len)
{
	return named(a, len, "console") || named(a, len, "earlycon") ||
	       named(a, len, "earlyprintk");
}

/* Appends a (len bytes) to out (which has room), a blank before it unless out is empty. */
static void put(char *out, const char *a, size_t len)
{
	size_t n = strlen(out);

	if (n)
		out[n++] = ' ';
	memcpy(out + n, a, len);
	out[n + len] = 0;
}

char *kexe_reuse_cmdline(const char *running)
{
	char *out = malloc(strlen(running) + 1);
	size_t pos = 0, len;
	const char *a;
	int init_args = 0;

	if (!out)
		return NULL;
	out[0] = 0;
	while ((a = next_arg(running, &pos, &len))) {
		init_args |= is_init_marker(a, len);
		if (init_args || !is_boot_only(a, len))
			put(out, a, len);
	}
	return out;
}

/* Whether line holds argument a (len bytes) before any "--"; sets *init_at to where the
 * arguments for init begin (the "--"), or the end of line. */
static int has_arg(const char *line, const char *a, size_t len, size_t *init_at)
{
	size_t pos = 0, n;
	const char *b;
	int found = 0;

	*init_at = strlen(line);
	while ((b = next_arg(line, &pos, &n))) {
		if (is_init_marker(b, n)) {
			*init_at = (size_t)(b - line);
			break;
		}
		found |= n == len && !memcmp(a, b, len);
	}
	return found;
}

int kexe_reuse_consoles(char **line, const char *running)
{
	size_t size = 2 * (strlen(*line) + strlen(running)) + 4, pos = 0, len, init_at;
	char *out = malloc(size), *rest = malloc(size);
	const char *a;

	if (!out || !rest) {
		free(out);
		free(rest);
		return -1;
	}
	strcpy(out, *line);
	while ((a = next_arg(running, &pos, &len)) && !is_init_marker(a, len)) {
		if (!is_console(a, len) || has_arg(out, a, len, &init_at))
			continue;
		/* before the line's own "--", after which arguments are init's */
		strcpy(rest, out + init_at);
		while (init_at && (out[init_at - 1] == ' ' || out[init_at - 1] == '\t'))
			init_at--;
		out[init_at] = 0;
		put(out, a, len);
		if (rest[0])
			strcat(strcat(out, " "), rest);
	}
	free(rest);
	free(*line);
	*line = out;
	return 0;
}
