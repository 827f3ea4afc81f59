#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consume.h"
#include "format.h"
#include "options.h"
#include "report_json.h"
#include "run.h"
#include "self.h"
#include "stream.h"
#include "version.h"

/* With --consume the bundle is opened writable by a loader re-executed from memory. */
static int open_bundle(const struct stub_options *o, const char *argv0, char **argv,
		       struct kexe_err *err)
{
	static struct kexe_bundle b;
	char path[4096];
	int fd;

	if (!o->consume || (o->mode != STUB_RUN && o->mode != STUB_LOAD_ONLY))
		return kexe_open_self(argv0, err);
	fd = kexe_consume_open(err);
	if (fd != -2)
		return fd;
	if (kexe_self_path(argv0, path, sizeof path, err))
		return -1;
	fd = kexe_open_self(argv0, err);
	if (fd < 0 || kexe_bundle_open(fd, &b, 1, err))
		return -1;
	kexe_consume_reexec(fd, b.trailer.payload_offset, path, argv, err);
	close(fd);
	return -1;
}

/* The shell form run from a pipe wrote only this loader to a file: the rest of the bundle
 * comes on the descriptor KEXE_STREAM_ENV names (lib/stream.h). Returns that descriptor. */
static int open_stream(const char *spec, struct stub_options *o, const char *argv0,
		       struct kexe_err *err)
{
	int self = kexe_open_self(argv0, err);

	if (self < 0)
		return -1;
	if (kexe_stream_attach_spec(spec, self, err)) {
		close(self);
		return -1;
	}
	if (o->consume)
		fprintf(stderr, "kexe: --consume does nothing here: the bundle streams from a pipe "
				"and is never stored\n");
	o->consume = 0;
	return kexe_stream_fd();
}

/* The shell form run as a file names the bundle's SHA-256 (KEXE_FILE_SHA256_ENV): the whole
 * file is checked against it before anything else, as a stream is. With --consume this runs
 * before the re-execution, which does not see the variable again. */
static int check_file_sha256(const char *spec, const char *argv0, struct kexe_err *err)
{
	int fd = kexe_open_self(argv0, err), rc;

	if (fd < 0)
		return -1;
	rc = kexe_stream_check_file(spec, fd, err);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct stub_options o;
	struct kexe_err err = {0};
	const char *argv0 = argc > 0 ? argv[0] : "kexe-bundle";
	char *stream = getenv(KEXE_STREAM_ENV), *file_sha = getenv(KEXE_FILE_SHA256_ENV);
	int fd, rc;

	/* for this process only: nothing it starts (systemctl, the detached child's helpers,
	 * the loader re-executed for --consume) may take them for its own */
	stream = stream ? strdup(stream) : NULL;
	file_sha = file_sha ? strdup(file_sha) : NULL;
	unsetenv(KEXE_STREAM_ENV);
	unsetenv(KEXE_FILE_SHA256_ENV);
	if (stub_parse_options(argc, argv, &o, &err))
		return stub_json_fail_early(argc, argv, &err);
	if (o.mode == STUB_HELP) {
		stub_print_help(argv0);
		return 0;
	}
	if (o.mode == STUB_VERSION) {
		printf("kexe %s\n", KEXE_VERSION);
		return 0;
	}
	if (file_sha && !stream && check_file_sha256(file_sha, argv0, &err)) {
		free(file_sha);
		return stub_json_fail_early(argc, argv, &err);
	}
	free(file_sha);
	fd = stream ? open_stream(stream, &o, argv0, &err) : open_bundle(&o, argv0, argv, &err);
	free(stream);
	if (fd < 0)
		return stub_json_fail_early(argc, argv, &err);
	rc = stub_run(fd, &o);
	close(fd);
	return rc;
}
