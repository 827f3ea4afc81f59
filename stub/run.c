#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carry.h"
#include "consume.h"
#include "decode.h"
#include "extract.h"
#include "fallback.h"
#include "format.h"
#include "handover.h"
#include "host.h"
#include "info.h"
#include "kernel.h"
#include "load.h"
#include "payload.h"
#include "preflight.h"
#include "report_json.h"
#include "reuse.h"
#include "run.h"
#include "stage.h"
#include "stream.h"

#define MIB (1024.0 * 1024.0)

static struct kexe_bundle bundle;

/* The metadata is not needed to boot, but damage anywhere means a bad copy: refuse it too. */
static int check_metadata(int fd, struct kexe_err *err)
{
	char *text = NULL;

	if (!bundle.metadata)
		return 0;
	if (kexe_section_read_small(fd, bundle.metadata, &text, err))
		return -1;
	free(text);
	return 0;
}

/* Non-zero when the bundle comes from a pipe (stream.h): it is read once, front to back. */
static int streamed(int fd)
{
	return fd == kexe_stream_fd();
}

/* Opens and validates the bundle; the trailer's arch must be this machine's. A stream reaches
 * the metadata, which lies after the initrds, only later (unpack_stream). */
static int open_bundle(int fd, struct kexe_err *err)
{
	if (kexe_bundle_open(fd, &bundle, 1, err) || (!streamed(fd) && check_metadata(fd, err)))
		return -1;
	if (bundle.trailer.arch != kexe_host_arch())
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 "this bundle is for %s, this machine is %s; pack one for %s",
				 kexe_arch_name(bundle.trailer.arch),
				 kexe_arch_name(kexe_host_arch()),
				 kexe_arch_name(kexe_host_arch()));
	return 0;
}

/* Reads the kernel header (without unpacking the kernel) and sizes the initrd. */
static int plan(int fd, const struct kexe_initrd_extras *x, const struct stub_options *o,
		struct kexe_plan *p, struct kexe_err *err)
{
	unsigned char head[KEXE_KERNEL_PROBE_SIZE];
	size_t got;

	memset(p, 0, sizeof *p);
	p->kernel_file = bundle.kernel->original_size;
	p->memory_check = !o->no_memory_check;
	p->syscall = o->syscall;
	p->stage_forced = o->stage_dir != NULL;
	p->fallback = o->fallback;
	/* a mapping needs the initrd in a file */
	p->mappable = !o->consume && !streamed(fd) && kexe_payload_initrd_mappable(&bundle, x);
	if (kexe_section_peek(fd, bundle.kernel, head, sizeof head, &got, err) ||
	    kexe_kernel_probe(head, got, p->kernel_file, &p->kernel, err))
		return -1;
	if (kexe_payload_initrd_size(&bundle, x, &p->initrd, err))
		return -1;
	if (o->stage_dir && kexe_stage_check(o->stage_dir, p->kernel_file + p->initrd, err))
		return -1;
	p->stage_dir = o->stage_dir ? o->stage_dir : kexe_stage_find(p->kernel_file + p->initrd);
	return 0;
}

/* Runs the preflight; --check prints it, --dry-run turns failures into warnings. Sets *legacy
 * when the load goes through kexec_load, and says so when that was not asked for. */
static int preflight(const struct stub_options *o, const struct kexe_host *h,
		     const struct kexe_plan *p, const char *cmdline, int *legacy, int *staged,
		     int *mapped, struct kexe_err *err)
{
	struct kexe_preflight pf;
	int failed;

	kexe_preflight_run(h, p, &pf);
	failed = kexe_preflight_verdict(&pf, err);
	*legacy = pf.legacy;
	*staged = pf.staged;
	*mapped = pf.mapped;
	for (unsigned i = 0; i < pf.count; i++)
		if (o->mode != STUB_CHECK && !strcmp(pf.verdicts[i].check, "syscall") &&
		    pf.verdicts[i].level == KEXE_PASS)
			fprintf(stderr, "kexe: %s %s\n",
				o->mode == STUB_DRY_RUN ? "would load with" : "loading with",
				pf.verdicts[i].text);
	stub_json_preflight(&pf, p, h, failed);
	if (o->mode == STUB_CHECK && stub_json_active()) {
		stub_json_cmdline(cmdline);
		return failed;
	}
	if (o->mode == STUB_CHECK) {
		kexe_preflight_print(stdout, &pf);
		if (cmdline)
			printf("command line: %s\n", cmdline);
		printf("%s\n", failed ? "verdict: this host cannot load the bundle now"
				      : "verdict: ready to load");
		return failed;
	}
	if (failed && o->mode == STUB_DRY_RUN) {
		fprintf(stderr, "kexe: warning: a real run would stop here: %s\n", err->msg);
		return 0;
	}
	return failed;
}

/* The final command line into p: the packed one (or --cmdline, or with --reuse-cmdline the
 * running kernel's), --append, what --fallback needs, then with --reuse-console the running
 * kernel's consoles. */
static int payload_cmdline(int fd, const struct stub_options *o, struct kexe_payload *p,
			   struct kexe_err *err)
{
	char words[KEXE_FALLBACK_WORDS][KEXE_FALLBACK_WORD_MAX];
	char *append[KEXE_MAX_APPEND + KEXE_FALLBACK_WORDS];
	unsigned n = o->n_append, extra = kexe_fallback_words(o->fallback, words);
	char *running = NULL, *reused = NULL;
	int rc = 0;

	memcpy(append, o->append, n * sizeof *append);
	for (unsigned i = 0; i < extra; i++)
		append[n++] = words[i];
	if (o->reuse_cmdline || o->reuse_console)
		rc = kexe_reuse_read(o->reuse_cmdline ? "--reuse-cmdline" : "--reuse-console",
				     &running, err);
	if (rc == 0 && o->reuse_cmdline && !(reused = kexe_reuse_cmdline(running)))
		rc = kexe_fail(err, KEXE_EXIT_MEMORY, "out of memory");
	if (rc == 0)
		rc = kexe_payload_cmdline(fd, &bundle, reused ? reused : o->cmdline, append, n,
					  o->reuse_console ? running : NULL, p, err);
	free(reused);
	free(running);
	return rc;
}

/* A stream is read in file order (packer/pack.c writes kernel, initrds, cmdline, metadata), and
 * to its end with every check before anything of it is loaded. */
static int unpack_stream(int fd, const struct stub_options *o, const struct kexe_initrd_extras *x,
			 struct kexe_payload *p, struct kexe_err *err)
{
	if (kexe_payload_kernel(fd, &bundle, p, err) ||
	    kexe_payload_initrd(fd, &bundle, x, p, err) || payload_cmdline(fd, o, p, err) ||
	    check_metadata(fd, err))
		return -1;
	return kexe_stream_finish(err);
}

static int unpack(int fd, const struct stub_options *o, const struct kexe_initrd_extras *x,
		  int mapped, struct kexe_payload *p, struct kexe_err *err)
{
	if (streamed(fd))
		return unpack_stream(fd, o, x, p, err);
	if (kexe_payload_kernel(fd, &bundle, p, err) || payload_cmdline(fd, o, p, err))
		return -1;
	if (mapped && o->mode != STUB_DRY_RUN)
		return kexe_payload_initrd_map(fd, &bundle, p, err);
	return kexe_payload_initrd(fd, &bundle, x, p, err);
}

static int boot(const struct stub_options *o, const struct kexe_host *h, struct kexe_payload *p,
		int legacy, struct kexe_err *err)
{
	if (o->mode == STUB_DRY_RUN) {
		fprintf(
		    stderr,
		    "kexe: dry run: bundle and payload check out (%s, %.1f MiB kernel, %.1f MiB "
		    "initrd); nothing was loaded\nkexe: command line: %s\n",
		    p->kernel.description, (double)p->kernel_size / MIB,
		    (double)p->initrd_size / MIB, p->cmdline);
		stub_json_payload(p, legacy);
		return 0;
	}
	stub_json_stage("load");
	kexe_handover_guard_begin(); /* ended in stub_run(), after the report */
	if (kexe_load(p, h, legacy, o->syscall != SYSCALL_FILE, err))
		return -1;
	if (o->mode == STUB_LOAD_ONLY) {
		fprintf(stderr, "kexe: kernel loaded; start it with `systemctl kexec` or "
				"`kexec -e`\n");
		return 0;
	}
	kexe_handover_release(p);
	stub_json_handover(o, h);
	return kexe_handover(o, h, err);
}

static int load_payload(int fd, const struct stub_options *o, struct kexe_err *err)
{
	struct kexe_payload p = {.kernel_fd = -1, .initrd_fd = -1, .release_fd = -1};
	struct kexe_cpio carried;
	struct kexe_initrd_extras x = {o->initrds, o->n_initrds, NULL, 0};
	struct kexe_plan pl;
	struct kexe_host h;
	int rc, legacy = 0, staged = 0, mapped = 0;

	kexe_host_probe(&h);
	if (o->consume && (o->mode == STUB_RUN || o->mode == STUB_LOAD_ONLY))
		p.release_fd = fd;
	rc = kexe_carry_build(o, &carried, err);
	x.tail = carried.data;
	x.tail_size = carried.size;
	if (rc == 0)
		rc = plan(fd, &x, o, &pl, err);
	if (rc == 0 && o->consume && kexe_consume_in_ram(fd)) /* --check too: what a run frees */
		pl.released = kexe_bundle_stored_size(&bundle);
	if (rc == 0 && o->mode == STUB_CHECK && streamed(fd)) /* no verdict on a bad download */
		rc = kexe_stream_finish(err);
	/* --check shows the final command line too (a stream has gone past it by now) */
	if (rc == 0 && o->mode == STUB_CHECK && !streamed(fd)) {
		p.kernel = pl.kernel;
		rc = payload_cmdline(fd, o, &p, err);
	}
	stub_json_stage("preflight");
	if (rc == 0)
		rc = preflight(o, &h, &pl, p.cmdline, &legacy, &staged, &mapped, err);
	if (staged && !mapped)
		p.stage_dir = pl.stage_dir;
	if (rc == 0 && p.release_fd >= 0)
		fprintf(stderr, "kexe: --consume: the bundle file is used up as it is unpacked; "
				"fetch it again to run it again\n");
	if (rc == 0 && o->mode != STUB_CHECK) {
		stub_json_stage("unpack");
		rc = unpack(fd, o, &x, mapped, &p, err);
	}
	if (rc == 0 && o->mode != STUB_CHECK)
		rc = boot(o, &h, &p, legacy, err);
	kexe_payload_free(&p);
	kexe_cpio_free(&carried);
	return rc;
}

static int describe(int fd, const struct stub_options *o, struct kexe_err *err)
{
	if (o->mode == STUB_INFO)
		return stub_json_active() ? stub_json_info(fd, &bundle, err)
					  : kexe_info_print(stdout, fd, &bundle, err);
	return kexe_extract(fd, &bundle, o->extract_dir, err);
}

static int run(int fd, const struct stub_options *o, struct kexe_err *err)
{
	if (open_bundle(fd, err))
		return -1;
	if (o->mode != STUB_INFO && o->mode != STUB_EXTRACT)
		return load_payload(fd, o, err);
	/* a stream is also checked to its end, as the file's checksums are by reading it */
	if (describe(fd, o, err) || (streamed(fd) && kexe_stream_finish(err)))
		return -1;
	return 0;
}

int stub_run(int self_fd, const struct stub_options *o)
{
	struct kexe_err err = {0};
	int rc;

	stub_json_start(o);
	rc = run(self_fd, o, &err);
	stub_json_finish(rc, &err);
	rc = rc == 0 ? KEXE_EXIT_OK : kexe_report(&err);
	kexe_handover_guard_end();
	return rc;
}
