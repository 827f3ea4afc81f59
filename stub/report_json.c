#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "detach.h"
#include "info_json.h"
#include "json.h"
#include "kernel.h"
#include "progress.h"
#include "report_json.h"

static struct {
	int active;
	int lines;	   /* a run: JSON lines; else one document */
	int scheduled;	   /* this process detached a child that will do the reboot */
	const char *stage; /* the stage a run is in, named in its error line */
	struct kexe_json j;
} r;

static const char *mode_name(enum stub_mode m)
{
	switch (m) {
	case STUB_INFO:
		return "info";
	case STUB_CHECK:
		return "check";
	case STUB_DRY_RUN:
		return "dry-run";
	case STUB_EXTRACT:
		return "extract";
	case STUB_LOAD_ONLY:
		return "load-only";
	default:
		return "run";
	}
}

/* Starts one JSON line of a run: {"kexe_json":1,...,"event":EVENT */
static void line(const char *event)
{
	kexe_json_object(&r.j);
	kexe_json_header(&r.j);
	kexe_json_kstr(&r.j, "event", event);
}

static void progress_line(const struct kexe_progress *p, int final)
{
	line("progress");
	kexe_json_kstr(&r.j, "stage", r.stage ? r.stage : p->label);
	kexe_json_kstr(&r.j, "what", p->label);
	kexe_json_ku64(&r.j, "done", p->done);
	kexe_json_ku64(&r.j, "total", p->total);
	kexe_json_kbool(&r.j, "final", final);
	kexe_json_newline(&r.j);
}

static void begin(enum stub_mode mode, int lines)
{
	r.active = 1;
	r.lines = lines;
	if (!lines) {
		kexe_json_begin_document(&r.j, stdout, mode_name(mode));
		return;
	}
	kexe_json_init(&r.j, stdout);
	kexe_progress_observer = progress_line;
	line("start");
	kexe_json_kstr(&r.j, "mode", mode_name(mode));
	kexe_json_newline(&r.j);
}

void stub_json_start(const struct stub_options *o)
{
	if (!o->json)
		return;
	begin(o->mode, o->mode == STUB_RUN || o->mode == STUB_LOAD_ONLY);
	if (o->mode == STUB_EXTRACT)
		kexe_json_kstr(&r.j, "dir", o->extract_dir);
}

int stub_json_active(void)
{
	return r.active;
}

void stub_json_stage(const char *stage)
{
	r.stage = stage;
	if (!r.active || !r.lines)
		return;
	line("stage");
	kexe_json_kstr(&r.j, "stage", stage);
	kexe_json_newline(&r.j);
}

static const char *level_name(enum kexe_level level)
{
	return level == KEXE_FAIL ? "fail" : level == KEXE_WARN ? "warn" : "pass";
}

/* "fallback" (seconds or null) and "watchdog": what sysfs says of the first watchdog, or null. */
static void watchdog_members(const struct kexe_plan *p, const struct kexe_host *h)
{
	kexe_json_key(&r.j, "fallback");
	if (p->fallback)
		kexe_json_i64(&r.j, p->fallback);
	else
		kexe_json_null(&r.j);
	kexe_json_key(&r.j, "watchdog");
	if (!h->watchdog[0]) {
		kexe_json_null(&r.j);
		return;
	}
	kexe_json_object(&r.j);
	kexe_json_kstr(&r.j, "identity", h->watchdog);
	kexe_json_kbool(&r.j, "softdog", !kexe_host_hw_watchdog(h));
	kexe_json_kbool(&r.j, "nowayout", h->watchdog_nowayout);
	kexe_json_key(&r.j, "stop_on_reboot");
	if (h->watchdog_stop_on_reboot == -2)
		kexe_json_null(&r.j);
	else
		kexe_json_i64(&r.j, h->watchdog_stop_on_reboot);
	kexe_json_end(&r.j);
}

void stub_json_preflight(const struct kexe_preflight *pf, const struct kexe_plan *p,
			 const struct kexe_host *h, int failed)
{
	uint64_t need = kexe_memory_need_for(p->kernel_file, p->kernel.memory_size, p->initrd,
					     pf->legacy, pf->staged);

	if (!r.active)
		return;
	if (r.lines)
		line("verdict");
	else {
		kexe_json_key(&r.j, "preflight");
		kexe_json_object(&r.j);
	}
	kexe_json_kbool(&r.j, "ready", !failed);
	kexe_json_kstr(&r.j, "syscall", pf->legacy ? "kexec_load" : "kexec_file_load");
	kexe_json_kbool(&r.j, "staged", pf->staged);
	kexe_json_kstr(&r.j, "kernel", p->kernel.description);
	kexe_json_ku64(&r.j, "kernel_size", p->kernel_file);
	kexe_json_ku64(&r.j, "initrd_size", p->initrd);
	kexe_json_ku64(&r.j, "memory_need", need);
	kexe_json_ku64(&r.j, "memory_available", h->mem_available + p->released);
	watchdog_members(p, h);
	kexe_json_key(&r.j, "checks");
	kexe_json_array(&r.j);
	for (unsigned i = 0; i < pf->count; i++) {
		const struct kexe_verdict *v = &pf->verdicts[i];
		kexe_json_object(&r.j);
		kexe_json_kstr(&r.j, "check", v->check);
		kexe_json_kstr(&r.j, "level", level_name(v->level));
		kexe_json_kstr(&r.j, "text", v->text);
		if (v->level == KEXE_FAIL)
			kexe_json_ki64(&r.j, "exit_code", v->code);
		kexe_json_end(&r.j);
	}
	kexe_json_end(&r.j);
	if (r.lines)
		kexe_json_newline(&r.j);
	else
		kexe_json_end(&r.j);
}

int stub_json_info(int fd, const struct kexe_bundle *b, struct kexe_err *err)
{
	return kexe_info_json(&r.j, fd, b, err);
}

void stub_json_cmdline(const char *cmdline)
{
	if (r.active && !r.lines && cmdline)
		kexe_json_kstr(&r.j, "cmdline", cmdline);
}

void stub_json_payload(const struct kexe_payload *p, int legacy)
{
	if (!r.active || r.lines)
		return;
	kexe_json_key(&r.j, "payload");
	kexe_json_object(&r.j);
	kexe_json_kstr(&r.j, "kernel", p->kernel.description);
	kexe_json_kstr(&r.j, "arch", kexe_arch_name(p->kernel.arch));
	kexe_json_ku64(&r.j, "kernel_size", p->kernel_size);
	kexe_json_ku64(&r.j, "initrd_size", p->initrd_size);
	kexe_json_kstr(&r.j, "cmdline", p->cmdline);
	kexe_json_kstr(&r.j, "syscall", legacy ? "kexec_load" : "kexec_file_load");
	kexe_json_end(&r.j);
}

void stub_json_retry(const char *call, int e, const char *instead)
{
	if (!r.active || !r.lines)
		return;
	line("retry");
	kexe_json_kstr(&r.j, "refused_by", call);
	kexe_json_ki64(&r.j, "errno", e);
	kexe_json_kstr(&r.j, "errno_name", kexe_errno_name(e));
	kexe_json_kstr(&r.j, "syscall", instead);
	kexe_json_newline(&r.j);
}

void stub_json_handover(const struct stub_options *o, const struct kexe_host *h)
{
	int detach =
	    o->detach == DETACH_ALWAYS || (o->detach == DETACH_AUTO && kexe_should_detach());

	stub_json_stage("handover");
	if (!r.active || !r.lines)
		return;
	r.scheduled = detach;
	line("handover");
	kexe_json_kstr(&r.j, "method",
		       !strcmp(h->pid1, "systemd") && !o->force ? "systemctl kexec" : "reboot");
	kexe_json_kbool(&r.j, "detach", detach);
	kexe_json_ki64(&r.j, "delay", detach ? o->delay : 0);
	kexe_json_kstr(&r.j, "log", detach ? (o->log ? o->log : KEXE_DETACH_LOG) : NULL);
	kexe_json_key(&r.j, "fallback");
	if (o->fallback) {
		kexe_json_object(&r.j);
		kexe_json_ki64(&r.j, "seconds", o->fallback);
		kexe_json_kstr(&r.j, "watchdog", kexe_host_hw_watchdog(h) ? h->watchdog : NULL);
		kexe_json_end(&r.j);
	} else
		kexe_json_null(&r.j);
	kexe_json_newline(&r.j);
}

void stub_json_detached(int delay)
{
	if (!r.active || !r.lines)
		return;
	r.scheduled = 0; /* this process is the one that reboots */
	line("detached");
	kexe_json_ki64(&r.j, "pid", (long long)getpid());
	kexe_json_ki64(&r.j, "delay", delay);
	kexe_json_newline(&r.j);
}

static void error_object(const struct kexe_err *err)
{
	kexe_json_key(&r.j, "error");
	kexe_json_object(&r.j);
	kexe_json_error_members(&r.j, err);
	kexe_json_end(&r.j);
}

void stub_json_finish(int rc, const struct kexe_err *err)
{
	if (!r.active)
		return;
	kexe_progress_observer = NULL;
	r.active = 0;
	if (!r.lines) {
		kexe_json_finish_document(&r.j, rc, err);
		return;
	}
	line(rc ? "error" : "done");
	kexe_json_kbool(&r.j, "ok", rc == 0);
	kexe_json_ki64(&r.j, "exit_code", rc ? err->code : 0);
	if (!rc && r.scheduled)
		kexe_json_kbool(&r.j, "scheduled", 1);
	if (rc) {
		kexe_json_kstr(&r.j, "stage", r.stage ? r.stage : "open");
		error_object(err);
	}
	kexe_json_newline(&r.j);
}

int stub_json_fail_early(int argc, char **argv, const struct kexe_err *err)
{
	enum stub_mode mode = STUB_RUN;
	int json = 0;

	for (int i = 1; i < argc; i++) {
		static const struct {
			const char *flag;
			enum stub_mode mode;
		} modes[] = {{"--info", STUB_INFO},
			     {"--check", STUB_CHECK},
			     {"--dry-run", STUB_DRY_RUN},
			     {"--extract", STUB_EXTRACT},
			     {"--load-only", STUB_LOAD_ONLY}};
		json |= !strcmp(argv[i], "--json");
		for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
			if (!strncmp(argv[i], modes[m].flag, strlen(modes[m].flag)))
				mode = modes[m].mode;
	}
	if (json) {
		begin(mode, mode == STUB_RUN || mode == STUB_LOAD_ONLY);
		stub_json_finish(-1, err);
	}
	return kexe_report(err);
}
