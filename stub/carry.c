#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authkeys.h"
#include "carry.h"
#include "netjson.h"
#include "seam.h"

#define MAX_CARRIED_FILE (16u << 20)

/* Reads a whole file from fd (closing it); *data is heap, NUL-terminated. */
static int slurp(int fd, const char *path, char **data, size_t *len, struct kexe_err *err)
{
	struct stat st;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_CARRIED_FILE) {
		close(fd);
		return kexe_fail(err, KEXE_EXIT_IO,
				 "cannot carry %s: not a regular file of at most "
				 "%u MiB",
				 path, MAX_CARRIED_FILE >> 20);
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return kexe_fail(err, KEXE_EXIT_IO, "cannot read %s to carry it", path);
	}
	buf[n] = 0;
	*data = buf;
	*len = (size_t)n;
	return 0;
}

static void add_key_file(FILE *out, const char *path)
{
	char *text;
	size_t len;
	int fd = kexe_seam.open_host(path);

	if (fd >= 0 && slurp(fd, path, &text, &len, NULL) == 0) {
		kexe_authkeys_filter(out, text);
		free(text);
	}
}

/* The home directory of user from /etc/passwd, into home. */
static int user_home(const char *user, char *home, size_t size)
{
	char *text, *line;
	size_t len, ulen = strlen(user);
	int fd = kexe_seam.open_host("/etc/passwd"), found = 0;

	if (fd < 0 || slurp(fd, "/etc/passwd", &text, &len, NULL))
		return 0;
	for (line = strtok(text, "\n"); line && !found; line = strtok(NULL, "\n")) {
		char *field = line;
		if (strncmp(line, user, ulen) || line[ulen] != ':')
			continue;
		for (int i = 0; i < 5 && field; i++)
			field = strchr(field + 1, ':');
		if (field && snprintf(home, size, "%.*s", (int)strcspn(field + 1, ":"), field + 1) <
				 (int)size)
			found = 1;
	}
	free(text);
	return found;
}

static int carry_authorized_keys(struct kexe_cpio *c, struct kexe_err *err)
{
	const char *sudo_user = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("DOAS_USER");
	char *keys = NULL, path[512], home[256];
	size_t len = 0;
	FILE *out = open_memstream(&keys, &len);
	int rc;

	if (!out)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory collecting ssh keys");
	add_key_file(out, "/root/.ssh/authorized_keys");
	add_key_file(out, "/root/.ssh/authorized_keys2");
	add_key_file(out, "/etc/ssh/authorized_keys.d/root");
	if (sudo_user && strcmp(sudo_user, "root") && !strchr(sudo_user, '/') &&
	    user_home(sudo_user, home, sizeof home)) {
		snprintf(path, sizeof path, "%s/.ssh/authorized_keys", home);
		add_key_file(out, path);
		snprintf(path, sizeof path, "%s/.ssh/authorized_keys2", home);
		add_key_file(out, path);
		snprintf(path, sizeof path, "/etc/ssh/authorized_keys.d/%s", sudo_user);
		add_key_file(out, path);
	}
	fclose(out);
	rc = len ? kexe_cpio_add_file(c, "ssh/authorized_keys", 0600, keys, len, err) : 0;
	free(keys);
	return rc;
}

/* Adds host file path at dest when it exists; mode 0 keeps the file's own permissions. */
static int carry_host_file(struct kexe_cpio *c, const char *path, const char *dest, unsigned mode,
			   struct kexe_err *err)
{
	char *data;
	size_t len;
	struct stat st;
	int fd = kexe_seam.open_host(path), rc;

	if (fd < 0)
		return 0;
	if (!mode)
		mode = fstat(fd, &st) == 0 ? st.st_mode & 0777 : 0600;
	if (slurp(fd, path, &data, &len, err))
		return -1;
	rc = kexe_cpio_add_parents(c, dest, err) ||
	     kexe_cpio_add_file(c, dest, mode, data, len, err);
	free(data);
	return rc ? -1 : 0;
}

static int carry_ssh(struct kexe_cpio *c, struct kexe_err *err)
{
	char path[300], dest[300];
	struct dirent *e;
	DIR *dir;
	int fd, rc = 0;

	if (kexe_cpio_add_dir(c, "ssh", 0700, err) || carry_authorized_keys(c, err))
		return -1;
	fd = kexe_seam.open_host("/etc/ssh");
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (rc == 0 && (e = readdir(dir))) {
		if (strncmp(e->d_name, "ssh_host_", 9) || strlen(e->d_name) > 200)
			continue;
		snprintf(path, sizeof path, "/etc/ssh/%s", e->d_name);
		snprintf(dest, sizeof dest, "ssh/%s", e->d_name);
		rc = carry_host_file(c, path, dest, 0, err);
	}
	closedir(dir);
	return rc;
}

static int add_json(struct kexe_cpio *c, const char *name, const struct kexe_netstate *ns,
		    int family, struct kexe_err *err)
{
	char *json = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&json, &len);
	int rc;

	if (!out)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory writing %s", name);
	if (family)
		kexe_json_routes(out, ns, family);
	else
		kexe_json_addrs(out, ns);
	fclose(out);
	rc = kexe_cpio_add_file(c, name, 0644, json, len, err);
	free(json);
	return rc;
}

static int carry_network(struct kexe_cpio *c, struct kexe_err *err)
{
	struct kexe_netstate ns;
	int rc;

	if (kexe_netstate_read(&ns, err))
		return -1;
	rc = add_json(c, "addrs.json", &ns, 0, err) ||
	     add_json(c, "routes-v4.json", &ns, AF_INET, err) ||
	     add_json(c, "routes-v6.json", &ns, AF_INET6, err) ||
	     carry_host_file(c, "/etc/machine-id", "machine-id", 0444, err) ||
	     carry_host_file(c, "/etc/resolv.conf", "etc/resolv.conf", 0644, err);
	kexe_netstate_free(&ns);
	return rc ? -1 : 0;
}

/* --carry-file SRC:DEST: SRC is the user's own path, DEST a path in the new initrd. */
static int carry_user_file(struct kexe_cpio *c, const char *spec, struct kexe_err *err)
{
	char src[4096];
	const char *colon = strrchr(spec, ':'), *dest;
	char *data;
	size_t len;
	struct stat st;
	int fd, rc;

	snprintf(src, sizeof src, "%.*s", (int)(colon - spec), spec);
	for (dest = colon + 1; *dest == '/'; dest++)
		;
	if (!kexe_cpio_path_ok(dest))
		return kexe_fail(
		    err, KEXE_EXIT_USAGE,
		    "--carry-file %s: destination must be a plain path without . or .. "
		    "parts",
		    spec);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "--carry-file: cannot open %s: %s", src,
				 strerror(errno));
	if (fstat(fd, &st))
		st.st_mode = 0644;
	if (slurp(fd, src, &data, &len, err))
		return -1;
	rc = kexe_cpio_add_parents(c, dest, err) ||
	     kexe_cpio_add_file(c, dest, st.st_mode & 0777, data, len, err);
	free(data);
	return rc ? -1 : 0;
}

int kexe_carry_build(const struct stub_options *o, struct kexe_cpio *c, struct kexe_err *err)
{
	int rc = 0;

	kexe_cpio_init(c);
	if (!o->carry_ssh_keys && !o->carry_network && !o->n_carry_files)
		return 0;
	if (o->carry_ssh_keys)
		rc = carry_ssh(c, err);
	if (rc == 0 && o->carry_network)
		rc = carry_network(c, err);
	for (unsigned i = 0; rc == 0 && i < o->n_carry_files; i++)
		rc = carry_user_file(c, o->carry_files[i], err);
	if (rc == 0)
		rc = kexe_cpio_finish(c, err);
	if (rc)
		kexe_cpio_free(c);
	return rc;
}
