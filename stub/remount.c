#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remount.h"
#include "seam.h"

#define MOUNTS_MAX (256 * 1024)

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

static char *read_mounts(void)
{
	int fd = kexe_seam.open_host("/proc/mounts");
	char *buf = malloc(MOUNTS_MAX);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while (len < MOUNTS_MAX - 1 && (n = read(fd, buf + len, MOUNTS_MAX - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Collects the targets to remount, in mount order. */
static unsigned writable_block_mounts(char *text, char targets[][256], unsigned max)
{
	unsigned n = 0;

	for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		char source[256], target[256], type[64], opts[512];
		if (sscanf(line, "%255s %255s %63s %511s", source, target, type, opts) != 4)
			continue;
		int readonly = !strncmp(opts, "ro", 2) && (!opts[2] || opts[2] == ',');
		if (strncmp(source, "/dev/", 5) || readonly)
			continue;
		unescape(target);
		snprintf(targets[n++], 256, "%s", target);
	}
	return n;
}

static void record(struct kexe_remounted *r, const char *target, int frozen)
{
	memcpy(r->targets[r->count], target, 256);
	r->frozen[r->count++] = (unsigned char)frozen;
}

/* The kernel log never blocks; stderr is written after it (and, should it be a file on a file
 * system frozen here, would block the reboot that unfreezes it). */
static void say(const char *line, int to_stderr)
{
	kexe_seam.log_kernel(line);
	if (to_stderr) {
		fputs(line, stderr);
		fflush(stderr);
	}
}

/* Read-only, else frozen, else named as left unclean. */
static void make_clean(struct kexe_remounted *r, const char *target)
{
	char line[640], busy[64];
	int e;

	if (kexe_seam.remount(target, 1) == 0) {
		record(r, target, 0);
		return;
	}
	snprintf(busy, sizeof busy, "%s", strerror(errno));
	if (kexe_seam.freeze(target, 1) == 0) {
		record(r, target, 1);
		snprintf(line, sizeof line,
			 "kexe: %s cannot be remounted read-only (%s); froze it, clean on disk\n",
			 target, busy);
		say(line, 0);
		return;
	}
	e = errno;
	if (e == EBUSY)
		return; /* already frozen (another mount of the same file system, or an admin's
			   fsfreeze): clean on disk, and not ours to thaw */
	snprintf(line, sizeof line,
		 "kexe: %s is not clean on disk for the reboot (remount read-only: %s; freeze: "
		 "%s): the next system may have to recover or check it\n",
		 target, busy, strerror(e));
	say(line, 1);
}

void kexe_remount_readonly(struct kexe_remounted *r)
{
	static char found[KEXE_MAX_REMOUNTS][256];
	char *text = read_mounts();
	unsigned n;

	r->count = 0;
	if (!text)
		return;
	n = writable_block_mounts(text, found, KEXE_MAX_REMOUNTS);
	free(text);
	fflush(NULL); /* nothing buffered may reach a frozen file system later */
	while (n-- > 0)
		make_clean(r, found[n]);
}

void kexe_remount_restore(const struct kexe_remounted *r)
{
	for (unsigned i = r->count; i-- > 0;) {
		if (r->frozen[i])
			kexe_seam.freeze(r->targets[i], 0);
		else
			kexe_seam.remount(r->targets[i], 0);
	}
}
