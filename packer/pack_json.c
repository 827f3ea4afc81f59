/* `kexe pack --json` (docs/JSON.md). */
#include "json.h"
#include "kernel.h"
#include "pack.h"

int kexe_pack_json(const struct pack_args *a, const struct pack_result *res, int rc,
		   const struct kexe_err *err)
{
	struct kexe_json j;

	kexe_json_begin_document(&j, stdout, "pack");
	kexe_json_kstr(&j, "path", a->output);
	if (rc == 0) {
		kexe_json_kstr(&j, "format", res->format);
		kexe_json_kstr(&j, "arch", kexe_arch_name(res->arch));
		kexe_json_ku64(&j, "file_size", res->file_size);
		kexe_json_kstr(&j, "sha256", res->sha256);
		kexe_json_kstr(&j, "bundle_sha256", res->bundle_sha256);
		kexe_json_kstr(&j, "kernel", res->kernel);
		kexe_json_ku64(&j, "initrds", res->initrds);
		kexe_json_ku64(&j, "payload_size", res->payload_size);
	}
	return kexe_json_finish_document(&j, rc, err);
}
