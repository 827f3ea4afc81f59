#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arm64.h"
#include "embedded.h"
#include "input.h"
#include "kernel.h"
#include "kexec_tree.h"
#include "nixos_anywhere.h"
#include "pack.h"
#include "progress.h"
#include "uki.h"
#include "unwrap.h"
#include "version.h"
#include "wrap.h"
#include "writer.h"

#define MIB (1024.0 * 1024.0)

struct pack_job {
	struct input_file stub_file; /* only with --stub */
	const unsigned char *stub;
	size_t stub_size;
	struct input_file files[1 + KEXE_MAX_INITRDS];
	unsigned n_files; /* kernel first, then initrds */
	const char *cmdline;
	struct kexe_kernel_info kernel;
	uint32_t arch;			 /* the bundle's: the kernel's, or --arch when unchecked */
	struct kexe_unwrapped unpacked;	 /* the kernel, when the input was gzip'd or zboot */
	struct input_file packed_kernel; /* then: the input file as mapped */
	char metadata[1024];
	struct kexec_tree tree;
	struct wrap_result written; /* for the one-liners */
	struct input_file uki;	    /* --uki: the image files[] are views of */
	char *uki_cmdline;
	char *joined; /* the command line with --append */
};

/* --uki: the UKI's kernel, microcode and initrd, then the --initrd files. */
static int gather_uki(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	if (a->kernel || a->kexec_tree)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "--uki gives the kernel: leave out --kernel and --kexec-tree");
	if (uki_open_parts(a->uki, &j->uki, j->files, &j->n_files, &j->uki_cmdline, err))
		return -1;
	if (j->n_files - 1 + a->n_initrds > KEXE_MAX_INITRDS)
		return kexe_fail(err, KEXE_EXIT_USAGE, "at most %d initrds", KEXE_MAX_INITRDS);
	for (unsigned i = 0; i < a->n_initrds; i++, j->n_files++)
		if (input_open(&j->files[j->n_files], a->initrds[i], err))
			return -1;
	j->cmdline = a->cmdline ? a->cmdline : j->uki_cmdline;
	return 0;
}

/* --append: each one added after the command line, separated by a space. */
static int join_append(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	size_t len = strlen(j->cmdline);

	if (!a->n_append)
		return 0;
	for (unsigned i = 0; i < a->n_append; i++)
		len += 1 + strlen(a->append[i]);
	j->joined = malloc(len + 1);
	if (!j->joined)
		return kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	strcpy(j->joined, j->cmdline);
	for (unsigned i = 0; i < a->n_append; i++) {
		if (j->joined[0])
			strcat(j->joined, " ");
		strcat(j->joined, a->append[i]);
	}
	j->cmdline = j->joined;
	return 0;
}

static int gather(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	const char *paths[1 + 2 * KEXE_MAX_INITRDS];
	unsigned n = 0;

	if (a->uki)
		return gather_uki(a, j, err);
	if (a->kexec_tree && kexec_tree_load(a->kexec_tree, &j->tree, err))
		return -1;
	paths[n++] = a->kernel ? a->kernel : a->kexec_tree ? j->tree.kernel : NULL;
	if (!paths[0])
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "pack needs --kernel FILE or --kexec-tree DIR");
	if (a->kexec_tree && j->tree.initrd[0])
		paths[n++] = j->tree.initrd;
	for (unsigned i = 0; i < a->n_initrds; i++)
		paths[n++] = a->initrds[i];
	if (n - 1 > KEXE_MAX_INITRDS)
		return kexe_fail(err, KEXE_EXIT_USAGE, "at most %d initrds", KEXE_MAX_INITRDS);
	j->cmdline = a->cmdline ? a->cmdline : a->kexec_tree ? j->tree.cmdline : "";
	for (unsigned i = 0; i < n; i++, j->n_files++)
		if (input_open(&j->files[i], paths[i], err))
			return -1;
	return 0;
}

/* A gzip'd or EFI zboot kernel is unpacked here (arm64 hosts load only the plain Image); the
 * bundle then holds the unpacked kernel. */
static int unwrap(struct pack_job *j, struct kexe_err *err)
{
	struct input_file *k = &j->files[0];
	char why[sizeof err->msg];

	if (kexe_unwrap_kernel(k->data, k->size, &j->unpacked, err)) {
		snprintf(why, sizeof why, "%s", err->msg);
		return kexe_fail(err, KEXE_EXIT_USAGE, "%s: %.400s", k->path, why);
	}
	if (!j->unpacked.data)
		return 0;
	printf("kexe: %s is %s\n", k->path, j->unpacked.what);
	j->packed_kernel = *k;
	k->data = j->unpacked.data;
	k->size = j->unpacked.size;
	return 0;
}

/* The arm64 header fields kexe_kernel_probe leaves alone: endianness, text_offset, page size. */
static int check_arm64(struct pack_job *j, size_t head, struct kexe_err *err)
{
	struct kexe_arm64_image img;

	if (kexe_arm64_image_read(j->files[0].data, head, &img, err))
		return -1;
	kexe_arm64_describe(&img, j->kernel.description, sizeof j->kernel.description);
	return 0;
}

static int check_kernel(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	const struct input_file *k = &j->files[0];
	char why[sizeof err->msg];
	size_t head;

	if (!a->unchecked_kernel && unwrap(j, err))
		return -1;
	head = k->size < KEXE_KERNEL_PROBE_SIZE ? (size_t)k->size : KEXE_KERNEL_PROBE_SIZE;
	/* --unchecked-kernel (testing) packs any bytes, for --arch or else x86_64. */
	j->arch = a->arch ? a->arch : KEXE_ARCH_X86_64;
	if (kexe_kernel_probe(k->data, head, k->size, &j->kernel, err) ||
	    (j->kernel.arch == KEXE_ARCH_AARCH64 && check_arm64(j, head, err))) {
		snprintf(why, sizeof why, "%s", err->msg);
		if (!a->unchecked_kernel)
			return kexe_fail(err, KEXE_EXIT_USAGE, "%s: %.400s", k->path, why);
		j->kernel.arch = j->arch;
		j->kernel.cmdline_max = KEXE_MAX_CMDLINE_SIZE;
		snprintf(j->kernel.description, sizeof j->kernel.description, "unchecked");
		return 0;
	}
	if (a->unchecked_kernel)
		return 0;
	if (a->arch && a->arch != j->kernel.arch)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "--arch %s, but %s is an %s; give a kernel for %s or leave out "
				 "--arch",
				 kexe_arch_name(a->arch), k->path, j->kernel.description,
				 kexe_arch_name(a->arch));
	j->arch = j->kernel.arch;
	if (strlen(j->cmdline) > j->kernel.cmdline_max)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "command line is %zu bytes, the kernel accepts at most %u",
				 strlen(j->cmdline), j->kernel.cmdline_max);
	return 0;
}

static int load_stub(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	if (!a->stub_path) {
		j->stub = kexe_embedded_stub(j->arch, &j->stub_size);
		if (!j->stub && j->arch == KEXE_ARCH_AARCH64)
			return kexe_fail(
			    err, KEXE_EXIT_USAGE,
			    "this kexe was built without the arm64 loader (no aarch64 cross "
			    "toolchain); install gcc-aarch64-linux-gnu musl-dev:arm64 "
			    "liblz4-dev:arm64 (scripts/install-deps.sh) and run make again");
		return j->stub ? 0
			       : kexe_fail(err, KEXE_EXIT_INTERNAL, "this kexe has no %s loader",
					   kexe_arch_name(j->arch));
	}
	if (input_open(&j->stub_file, a->stub_path, err))
		return -1;
	j->stub = j->stub_file.data;
	j->stub_size = (size_t)j->stub_file.size;
	return 0;
}

static void describe(const struct pack_args *a, struct pack_job *j)
{
	snprintf(j->metadata, sizeof j->metadata,
		 "kexe-version=%s\narch=%s\nkernel=%s\ninitrds=%u\n%s%s%s", KEXE_VERSION,
		 kexe_arch_name(j->arch), j->kernel.description, j->n_files - 1,
		 a->name ? "name=" : "", a->name ? a->name : "", a->name ? "\n" : "");
}

/* The output must not be one of the inputs: writing it would destroy what it is read from. */
static int check_output(const struct pack_args *a, const struct pack_job *j, struct kexe_err *err)
{
	struct stat st;

	if (stat(a->output, &st))
		return 0;
	for (unsigned i = 0; i < j->n_files; i++)
		if (st.st_dev == j->files[i].dev && st.st_ino == j->files[i].ino)
			return kexe_fail(err, KEXE_EXIT_USAGE,
					 "output %s is the input %s; choose another -o", a->output,
					 j->files[i].path);
	return 0;
}

static int write_bundle(const struct pack_args *a, struct pack_job *j, int fd, struct kexe_err *err)
{
	struct kexe_pack_input in[2 + 1 + KEXE_MAX_INITRDS];
	struct kexe_progress progress;
	struct kexe_pack_options opt = {.arch = j->arch, .lz4_level = a->lz4_level};
	uint64_t total = 0;
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < j->n_files; i++) {
		in[n++] = (struct kexe_pack_input){i ? KEXE_SECTION_INITRD : KEXE_SECTION_KERNEL,
						   j->files[i].data, j->files[i].size};
		total += j->files[i].size;
	}
	in[n++] = (struct kexe_pack_input){KEXE_SECTION_CMDLINE, (const unsigned char *)j->cmdline,
					   strlen(j->cmdline)};
	in[n++] = (struct kexe_pack_input){KEXE_SECTION_METADATA,
					   (const unsigned char *)j->metadata, strlen(j->metadata)};
	kexe_progress_start(&progress, "packing", total);
	opt.progress = kexe_progress_add;
	opt.progress_ctx = &progress;
	rc = kexe_bundle_write(fd, j->stub, j->stub_size, in, n, &opt, err);
	kexe_progress_end(&progress);
	return rc;
}

static int write_atomically(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	char tmp[4096];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", a->output) >= sizeof tmp)
		return kexe_fail(err, KEXE_EXIT_USAGE, "output path too long");
	fd = mkstemp(tmp);
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create a file next to %s: %s",
				 a->output, strerror(errno));
	rc = write_bundle(a, j, fd, err);
	/* The shell form is written from the finished binary bundle, which is then dropped. */
	if (rc == 0 && !a->shell_form && (fsync(fd) || fchmod(fd, 0755)))
		rc = kexe_fail(err, KEXE_EXIT_IO, "writing %s failed: %s", tmp, strerror(errno));
	if (close(fd) && rc == 0)
		rc = kexe_fail(err, KEXE_EXIT_IO, "writing %s failed: %s", tmp, strerror(errno));
	if (rc == 0 && a->nixos_anywhere) {
		if (a->json)
			rc = kexe_wrap_hash_file(tmp, j->written.bundle_sha256, err);
		if (rc == 0)
			rc = kexe_nixos_anywhere_file(tmp, a->output, err);
		unlink(tmp);
		return rc;
	}
	if (rc == 0 && a->shell_form) {
		struct wrap_options opt = {.url = a->url, .print_oneliners = a->print_oneliners};
		rc = kexe_wrap_file(tmp, a->output, j->arch, &opt, &j->written, err);
		unlink(tmp);
		return rc;
	}
	if (rc == 0 && rename(tmp, a->output))
		rc = kexe_fail(err, KEXE_EXIT_IO, "cannot rename %s to %s: %s", tmp, a->output,
			       strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

static void summary(const struct pack_args *a, const struct pack_job *j)
{
	struct stat st;
	uint64_t payload = 0;

	for (unsigned i = 0; i < j->n_files; i++)
		payload += j->files[i].size;
	if (stat(a->output, &st))
		return;
	printf("kexe: wrote %s: %.1f MiB (%s%s, %u initrd%s, payload %.1f MiB)\n", a->output,
	       (double)st.st_size / MIB,
	       a->shell_form	   ? "shell form, "
	       : a->nixos_anywhere ? "nixos-anywhere tarball, "
				   : "",
	       j->kernel.description, j->n_files - 1, j->n_files == 2 ? "" : "s",
	       (double)payload / MIB);
}

static int print_oneliners(const struct pack_args *a, struct pack_job *j, struct kexe_err *err)
{
	if (!a->shell_form) {
		j->written.path = a->output;
		j->written.shell_form = 0;
		if (kexe_wrap_hash_file(a->output, j->written.bundle_sha256, err))
			return -1;
		memcpy(j->written.file_sha256, j->written.bundle_sha256,
		       sizeof j->written.file_sha256);
	}
	kexe_wrap_print_oneliners(stdout, &j->written, a->url);
	return 0;
}

/* What was written; with --json also its SHA-256 and that of the binary bundle in it (the
 * shell form and the tarball noted theirs as they were written). */
static int result(const struct pack_args *a, struct pack_job *j, struct pack_result *res,
		  struct kexe_err *err)
{
	struct stat st;

	memset(res, 0, sizeof *res);
	res->format = a->shell_form ? "sh" : a->nixos_anywhere ? "nixos-anywhere" : "kexe";
	res->arch = j->arch;
	res->initrds = j->n_files - 1;
	for (unsigned i = 0; i < j->n_files; i++)
		res->payload_size += j->files[i].size;
	snprintf(res->kernel, sizeof res->kernel, "%s", j->kernel.description);
	if (stat(a->output, &st))
		return kexe_fail_errno(err, KEXE_EXIT_IO, errno, "cannot stat %s: %s", a->output,
				       strerror(errno));
	res->file_size = (uint64_t)st.st_size;
	if (!a->json)
		return 0;
	if (kexe_wrap_hash_file(a->output, res->sha256, err))
		return -1;
	memcpy(res->bundle_sha256,
	       a->shell_form || a->nixos_anywhere ? j->written.bundle_sha256 : res->sha256,
	       sizeof res->bundle_sha256);
	return 0;
}

int kexe_pack(const struct pack_args *a, struct pack_result *res, struct kexe_err *err)
{
	static struct pack_job j;
	int rc;

	memset(&j, 0, sizeof j);
	if (!a->output)
		return kexe_fail(err, KEXE_EXIT_USAGE, "pack needs -o OUTPUT");
	if (a->url && kexe_wrap_check_url(a->url, err))
		return -1;
	rc = gather(a, &j, err);
	if (rc == 0)
		rc = join_append(a, &j, err);
	if (rc == 0)
		rc = check_kernel(a, &j, err);
	if (rc == 0)
		rc = check_output(a, &j, err);
	if (rc == 0)
		rc = load_stub(a, &j, err);
	if (rc == 0) {
		describe(a, &j);
		rc = write_atomically(a, &j, err);
	}
	if (rc == 0 && !a->json)
		summary(a, &j);
	if (rc == 0 && res)
		rc = result(a, &j, res, err);
	if (rc == 0 && a->print_oneliners)
		rc = print_oneliners(a, &j, err);
	if (j.unpacked.data) {
		free(j.unpacked.data);
		j.files[0] = j.packed_kernel;
	}
	for (unsigned i = 0; i < j.n_files; i++)
		input_close(&j.files[i]);
	input_close(&j.stub_file);
	free(j.tree.cmdline);
	input_close(&j.uki);
	free(j.uki_cmdline);
	free(j.joined);
	return rc;
}
