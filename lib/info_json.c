#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extract.h"
#include "info_json.h"
#include "kernel.h"

/* metadata is "key=value" lines; a line without '=' becomes a key with the value "". */
static void metadata_members(struct kexe_json *j, const char *text)
{
	kexe_json_key(j, "metadata");
	kexe_json_object(j);
	while (*text) {
		const char *end = strchr(text, '\n'), *eq;
		if (!end)
			end = text + strlen(text);
		eq = memchr(text, '=', (size_t)(end - text));
		if (end > text) {
			kexe_json_keyn(j, text, (size_t)((eq ? eq : end) - text));
			if (eq)
				kexe_json_strn(j, eq + 1, (size_t)(end - eq - 1));
			else
				kexe_json_str(j, "");
		}
		text = *end ? end + 1 : end;
	}
	kexe_json_end(j);
}

static void section_members(struct kexe_json *j, const struct kexe_bundle *b)
{
	unsigned initrd = 0;
	char name[32];

	kexe_json_key(j, "sections");
	kexe_json_array(j);
	for (unsigned i = 0; i < b->section_count; i++) {
		const struct kexe_section *s = &b->sections[i];
		kexe_extract_name(s, s->type == KEXE_SECTION_INITRD ? initrd++ : 0, name,
				  sizeof name);
		kexe_json_object(j);
		kexe_json_kstr(j, "name", name);
		kexe_json_kstr(j, "type", kexe_section_type_name(s->type));
		kexe_json_kstr(j, "compression", kexe_compression_name(s->compression));
		kexe_json_ku64(j, "offset", s->offset);
		kexe_json_ku64(j, "stored_size", s->stored_size);
		kexe_json_ku64(j, "original_size", s->original_size);
		kexe_json_key(j, "stored_xxh64");
		kexe_json_hex64(j, s->stored_checksum);
		kexe_json_key(j, "original_xxh64");
		kexe_json_hex64(j, s->original_checksum);
		kexe_json_end(j);
	}
	kexe_json_end(j);
}

int kexe_info_json(struct kexe_json *j, int fd, const struct kexe_bundle *b, struct kexe_err *err)
{
	const struct kexe_trailer *t = &b->trailer;
	char *cmdline = NULL, *metadata = NULL;

	if (kexe_section_read_small(fd, b->cmdline, &cmdline, err))
		return -1;
	if (b->metadata && kexe_section_read_small(fd, b->metadata, &metadata, err)) {
		free(cmdline);
		return -1;
	}
	kexe_json_ku64(j, "format_version", t->version);
	kexe_json_kstr(j, "arch", kexe_arch_name(t->arch));
	kexe_json_ku64(j, "file_size", b->file_size);
	kexe_json_ku64(j, "loader_size", t->payload_offset);
	kexe_json_ku64(j, "payload_size", t->table_offset - t->payload_offset);
	kexe_json_key(j, "cmdline");
	kexe_json_strn(j, cmdline, (size_t)b->cmdline->original_size);
	section_members(j, b);
	if (metadata)
		metadata_members(j, metadata);
	else {
		kexe_json_key(j, "metadata");
		kexe_json_object(j);
		kexe_json_end(j);
	}
	free(cmdline);
	free(metadata);
	return 0;
}
