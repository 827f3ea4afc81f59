#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extract.h"
#include "format.h"
#include "host.h"
#include "info.h"
#include "kernel.h"
#include "load.h"
#include "payload.h"
#include "run.h"
#include "seam.h"

#define MIB (1024.0 * 1024.0)

static struct kexe_bundle bundle;

static int prepare(int fd, const struct stub_options *o, const struct kexe_host *h,
		   struct kexe_payload *p, struct kexe_err *err)
{
	uint64_t initrd, need;

	if (kexe_payload_kernel(fd, &bundle, p, err))
		return -1;
	if (kexe_payload_initrd_size(&bundle, o->initrds, o->n_initrds, &initrd, err))
		return -1;
	need = kexe_memory_need(p->kernel_size, p->kernel.memory_size, initrd);
	if (!o->no_memory_check && kexe_host_check_memory(h, need, p->kernel_size + initrd, err)) {
		if (o->mode != STUB_DRY_RUN)
			return -1;
		fprintf(stderr, "kexe: warning: %s\n", err->msg);
	}
	if (kexe_payload_cmdline(fd, &bundle, o->cmdline, o->append, o->n_append, p, err))
		return -1;
	return kexe_payload_initrd(fd, &bundle, o->initrds, o->n_initrds, p, err);
}

static int boot(const struct stub_options *o, const struct kexe_host *h,
		const struct kexe_payload *p, struct kexe_err *err)
{
	if (o->mode == STUB_DRY_RUN) {
		fprintf(
		    stderr,
		    "kexe: dry run: bundle and payload check out (%s, %.1f MiB kernel, %.1f MiB "
		    "initrd); nothing was loaded\nkexe: command line: %s\n",
		    p->kernel.description, (double)p->kernel_size / MIB,
		    (double)p->initrd_size / MIB, p->cmdline);
		return 0;
	}
	if (kexe_load(p, h, err))
		return -1;
	if (o->mode == STUB_LOAD_ONLY) {
		fprintf(stderr, "kexe: kernel loaded; start it with `systemctl kexec` or "
				"`kexec -e`\n");
		return 0;
	}
	fprintf(stderr, "kexe: kernel loaded; rebooting into it now\n");
	fflush(NULL);
	if (kexe_seam.reboot_kexec() == 0)
		return 0;
	kexe_fail(err, KEXE_EXIT_REBOOT,
		  "reboot into the loaded kernel failed: %s; it was unloaded and this system "
		  "keeps running",
		  strerror(errno));
	kexe_unload();
	return -1;
}

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

static int run(int fd, const struct stub_options *o, struct kexe_err *err)
{
	struct kexe_payload p = {.kernel_fd = -1, .initrd_fd = -1};
	struct kexe_host h;
	int rc;

	if (kexe_bundle_open(fd, &bundle, 1, err) || check_metadata(fd, err))
		return -1;
	if (bundle.trailer.arch != kexe_host_arch())
		return kexe_fail(err, KEXE_EXIT_BUNDLE,
				 "this bundle is for %s, this machine is %s; pack one for %s",
				 kexe_arch_name(bundle.trailer.arch),
				 kexe_arch_name(kexe_host_arch()),
				 kexe_arch_name(kexe_host_arch()));
	if (o->mode == STUB_INFO)
		return kexe_info_print(stdout, fd, &bundle, err);
	if (o->mode == STUB_EXTRACT)
		return kexe_extract(fd, &bundle, o->extract_dir, err);
	kexe_host_probe(&h);
	if (kexe_host_check(&h, err)) {
		if (o->mode != STUB_DRY_RUN)
			return -1;
		fprintf(stderr, "kexe: warning: a real run would stop here: %s\n", err->msg);
	}
	rc = prepare(fd, o, &h, &p, err);
	if (rc == 0)
		rc = boot(o, &h, &p, err);
	kexe_payload_free(&p);
	return rc;
}

int stub_run(int self_fd, const struct stub_options *o)
{
	struct kexe_err err = {0};

	if (run(self_fd, o, &err) == 0)
		return KEXE_EXIT_OK;
	return kexe_report(&err);
}
