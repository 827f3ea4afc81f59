#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "kexec_tree.h"

#define MAX_SCRIPT (1u << 20)
#define MAX_WORDS 64

/* One shell word from *p: handles '...', "..." (with \" and \\), and backslash escapes;
 * $-expansions are kept as text. Returns a heap string, or NULL at the end of the command. */
static char *next_word(const char **p)
{
	const char *s = *p;
	char *out, *o;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '\n' || *s == ';' || *s == '&' || *s == '|') {
		*p = s;
		return NULL;
	}
	/* a word ends at its line (continuations were joined), which bounds its length */
	out = o = malloc(strcspn(s, "\n") + 1);
	if (!out)
		return NULL;
	while (*s && !strchr(" \t\n;&|", *s)) {
		if (*s == '\'') {
			for (s++; *s && *s != '\'' && *s != '\n'; s++)
				*o++ = *s;
			s += *s == '\'';
		} else if (*s == '"') {
			for (s++; *s && *s != '"' && *s != '\n'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '$'))
					s++;
				*o++ = *s;
			}
			s += *s == '"';
		} else if (*s == '\\' && s[1] && s[1] != '\n') {
			*o++ = s[1];
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	*p = s;
	return out;
}

/* The script with "\\\n" continuations removed. */
static char *join_lines(const char *script, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (script[i] == '\\' && i + 1 < len && script[i + 1] == '\n') {
			i++;
			continue;
		}
		*o++ = script[i] ? script[i] : ' ';
	}
	*o = 0;
	return out;
}

static void in_dir(char *out, size_t size, const char *dir, const char *path)
{
	const char *base = strrchr(path, '/');
	snprintf(out, size, "%s/%s", dir, base ? base + 1 : path);
}

static const char *option_value(char **w, int n, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(w[*i], name, len))
		return NULL;
	if (w[*i][len] == '=')
		return w[*i] + len + 1;
	if (!w[*i][len] && *i + 1 < n)
		return w[++*i];
	return NULL;
}

/* Fills t from the words of one `kexec --load ...` command; returns 1 when it was one. */
static int take_command(const char *dir, char **w, int n, struct kexec_tree *t)
{
	int load = 0;
	const char *v;

	if (n == 0 || strcmp(strrchr(w[0], '/') ? strrchr(w[0], '/') + 1 : w[0], "kexec"))
		return 0;
	for (int i = 1; i < n; i++) {
		if (!strcmp(w[i], "--load") || !strcmp(w[i], "-l"))
			load = 1;
		else if ((v = option_value(w, n, &i, "--initrd")) ||
			 (v = option_value(w, n, &i, "--ramdisk")))
			in_dir(t->initrd, sizeof t->initrd, dir, v);
		else if ((v = option_value(w, n, &i, "--command-line")) ||
			 (v = option_value(w, n, &i, "--append"))) {
			free(t->cmdline);
			t->cmdline = strdup(v);
		} else if (w[i][0] != '-' && !t->kernel[0])
			in_dir(t->kernel, sizeof t->kernel, dir, w[i]);
	}
	return load;
}

int kexec_tree_parse(const char *dir, const char *script, size_t len, struct kexec_tree *t,
		     struct kexe_err *err)
{
	char *text = join_lines(script, len), *w[MAX_WORDS];
	const char *p = text;
	int found = 0;

	memset(t, 0, sizeof *t);
	while (p && *p && !found) {
		int n = 0;
		while (n < MAX_WORDS && (w[n] = next_word(&p)))
			n++;
		found = take_command(dir, w, n, t);
		while (n > 0)
			free(w[--n]);
		if (!found) {
			/* only what a command set is reset: a memset per line made long scripts
			 * quadratic */
			free(t->cmdline);
			t->cmdline = NULL;
			t->kernel[0] = t->initrd[0] = 0;
		}
		p += strcspn(p, "\n;&|");
		p += *p != 0;
	}
	free(text);
	if (!found || !t->kernel[0]) {
		/* a `kexec --load` without a kernel may still have given a command line */
		if (found)
			free(t->cmdline);
		t->cmdline = NULL;
		return kexe_fail(
		    err, KEXE_EXIT_USAGE,
		    "%s/kexec-boot has no `kexec --load KERNEL` command; give --kernel, "
		    "--initrd and --cmdline instead",
		    dir);
	}
	if (!t->cmdline)
		t->cmdline = strdup("");
	return t->cmdline ? 0 : kexe_fail(err, KEXE_EXIT_INTERNAL, "out of memory");
}

int kexec_tree_load(const char *dir, struct kexec_tree *t, struct kexe_err *err)
{
	char path[4096], *buf;
	ssize_t n;
	int fd, rc;

	snprintf(path, sizeof path, "%s/kexec-boot", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO,
				 "cannot open %s: %s; --kexec-tree wants a "
				 "NixOS system.build.kexecTree directory",
				 path, strerror(errno));
	buf = malloc(MAX_SCRIPT);
	n = buf ? read(fd, buf, MAX_SCRIPT) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return kexe_fail(err, KEXE_EXIT_IO, "cannot read %s", path);
	}
	rc = kexec_tree_parse(dir, buf, (size_t)n, t, err);
	free(buf);
	return rc;
}
