#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "authkeys.h"

/* Key types as OpenSSH names them: ssh-ed25519, ssh-rsa, ecdsa-sha2-*, sk-*@openssh.com and
 * their -cert-v01 forms. No authorized_keys option starts like one. */
static int is_key_type(const char *p, const char *end)
{
	static const char *const starts[] = {"ssh-", "ecdsa-", "sk-"};

	for (size_t i = 0; i < sizeof starts / sizeof *starts; i++) {
		size_t n = strlen(starts[i]);
		if ((size_t)(end - p) > n && !strncmp(p, starts[i], n))
			return 1;
	}
	return 0;
}

/* The end of the token at p: the first stop character outside double quotes (sshd's rule: in
 * quotes only \" is an escape). NULL when a quote is left open, which sshd rejects too. */
static const char *unquoted(const char *p, const char *end, const char *stops)
{
	int quoted = 0;

	for (; p < end; p++) {
		if (quoted && p[0] == '\\' && p + 1 < end && p[1] == '"')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p && strchr(stops, *p))
			return p;
	}
	return quoted ? NULL : end;
}

static const char *skip_spaces(const char *s)
{
	while (s && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *skip_literal(const char *s, const char *lit)
{
	size_t n = strlen(lit);

	return s && !strncmp(s, lit, n) ? s + n : NULL;
}

/* A user name as cloud-init fills it in, in quotes or not. */
static const char *skip_user(const char *s)
{
	int quoted = s && *s == '"';
	size_t n;

	if (!s)
		return NULL;
	s += quoted;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-");
	if (n == 0 || n > 64 || (quoted && s[n] != '"'))
		return NULL;
	return s + n + quoted;
}

/* One of the harmless commands cloud-init puts after its message: ";echo", ";sleep N",
 * ";exit N". */
static const char *skip_tail(const char *s)
{
	const char *p = skip_literal(skip_spaces(s), ";");

	p = skip_spaces(p);
	if (!p)
		return NULL;
	if (!strncmp(p, "echo", 4) && (!p[4] || p[4] == ';' || p[4] == ' '))
		return skip_spaces(p + 4);
	if (strncmp(p, "sleep ", 6) && strncmp(p, "exit ", 5))
		return NULL;
	p = skip_spaces(p + (*p == 's' ? 6 : 5));
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	return skip_spaces(p);
}

/* cloud-init's disable_root command (and Amazon's, Debian's and Ubuntu's images, which use
 * it): echo 'Please login as the user "U" rather than the user "root".';echo;sleep 10;exit 142.
 * Only this exact shape: a command that does anything else stays. */
static int cloud_init_command(const char *v)
{
	const char *p = skip_user(skip_literal(v, "echo 'Please login as the user "));
	const char *rather = skip_literal(p, " rather than the user ");

	if (rather)
		p = skip_user(rather);
	p = skip_literal(p, ".'");
	while (p && *p)
		p = skip_tail(p);
	return p != NULL;
}

/* Whether the option [p, end) is command="..." holding cloud-init's login message. */
static int cloud_init_option(const char *p, const char *end)
{
	char value[512];
	size_t n = 0;

	if (end - p < 10 || strncasecmp(p, "command=\"", 9) || end[-1] != '"')
		return 0;
	for (p += 9; p < end - 1 && n < sizeof value - 1; p++) {
		if (p[0] == '\\' && p[1] == '"')
			p++;
		else if (*p == '"')
			return 0; /* the quoted part ends before the option does */
		value[n++] = *p;
	}
	value[n] = 0;
	return p == end - 1 && cloud_init_command(value);
}

/* Writes the options in [p, end) but cloud-init's command, comma-separated; 1 when any. */
static int write_options(FILE *out, const char *p, const char *end)
{
	int wrote = 0;

	while (p < end) {
		const char *next = unquoted(p, end, ",");
		if (!next)
			next = end;
		if (!cloud_init_option(p, next)) {
			fprintf(out, "%s%.*s", wrote ? "," : "", (int)(next - p), p);
			wrote = 1;
		}
		p = next + 1;
	}
	return wrote;
}

static void filter_line(FILE *out, const char *line, const char *end)
{
	const char *p = skip_spaces(line), *options_end, *key;

	if (p >= end || *p == '#')
		return;
	if (is_key_type(p, end)) {
		fprintf(out, "%.*s\n", (int)(end - p), p);
		return;
	}
	options_end = unquoted(p, end, " \t");
	key = skip_spaces(options_end);
	if (!options_end || key >= end || !is_key_type(key, end))
		return;
	if (write_options(out, p, options_end))
		fputc(' ', out);
	fprintf(out, "%.*s\n", (int)(end - key), key);
}

void kexe_authkeys_filter(FILE *out, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		filter_line(out, text, text + len);
		text += len + (text[len] == '\n');
	}
}
