#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "self.h"

static int open_path(const char *path)
{
	return path && *path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
}

static int open_in_path(const char *name)
{
	const char *dirs = getenv("PATH");
	char full[4096];

	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		int fd;
		if (len > 0 &&
		    (size_t)snprintf(full, sizeof full, "%.*s/%s", (int)len, dirs, name) <
			sizeof full &&
		    access(full, X_OK) == 0 && (fd = open_path(full)) >= 0)
			return fd;
		dirs += len + (dirs[len] == ':');
	}
	return -1;
}

int kexe_open_self(const char *argv0, struct kexe_err *err)
{
	int fd = open_path("/proc/self/exe");

	if (fd < 0)
		fd = open_path((const char *)getauxval(AT_EXECFN));
	if (fd < 0 && argv0)
		fd = strchr(argv0, '/') ? open_path(argv0) : open_in_path(argv0);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO,
				 "cannot open my own file (no /proc/self/exe, and %s is not "
				 "readable); run the bundle by its path, e.g. ./boot.kexe",
				 argv0 ? argv0 : "argv[0]");
	return fd;
}
