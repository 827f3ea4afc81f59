#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "self.h"

static int readable(const char *path)
{
	return path && *path && access(path, R_OK) == 0;
}

static int find_in_path(const char *name, char *path, size_t size)
{
	const char *dirs = getenv("PATH");

	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		if (len > 0 &&
		    (size_t)snprintf(path, size, "%.*s/%s", (int)len, dirs, name) < size &&
		    access(path, X_OK) == 0 && readable(path))
			return 0;
		dirs += len + (dirs[len] == ':');
	}
	return -1;
}

int kexe_self_path(const char *argv0, char *path, size_t size, struct kexe_err *err)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	ssize_t n = readlink("/proc/self/exe", path, size - 1);

	if (n > 0 && (size_t)n < size - 1) {
		path[n] = 0;
		if (readable(path))
			return 0;
	}
	if (readable(execfn) && (size_t)snprintf(path, size, "%s", execfn) < size)
		return 0;
	if (argv0 && strchr(argv0, '/') && readable(argv0) &&
	    (size_t)snprintf(path, size, "%s", argv0) < size)
		return 0;
	if (argv0 && !strchr(argv0, '/') && find_in_path(argv0, path, size) == 0)
		return 0;
	return kexe_fail(err, KEXE_EXIT_IO,
			 "cannot find my own file (no /proc/self/exe, and %s is not readable); "
			 "run the bundle by its path, e.g. ./boot.kexe",
			 argv0 ? argv0 : "argv[0]");
}

int kexe_open_self(const char *argv0, struct kexe_err *err)
{
	char path[4096];
	int fd;

	if (kexe_self_path(argv0, path, sizeof path, err))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot open my own file %s: %s", path,
				 strerror(errno));
	return fd;
}
