#include <stdlib.h>

#include "decode.h"
#include "extract.h"
#include "info.h"
#include "kernel.h"

/* Bundle text goes to a terminal: control bytes are shown escaped, never sent raw. */
static void print_text(FILE *out, const char *text, const char *end)
{
	for (; text < end && *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void print_metadata(FILE *out, const char *text)
{
	const char *line = text;

	while (*line) {
		const char *end = line;
		while (*end && *end != '\n')
			end++;
		fputs("  ", out);
		print_text(out, line, end);
		fputc('\n', out);
		line = *end ? end + 1 : end;
	}
}

int kexe_info_print(FILE *out, int fd, const struct kexe_bundle *b, struct kexe_err *err)
{
	const struct kexe_trailer *t = &b->trailer;
	char *cmdline = NULL, *metadata = NULL;
	unsigned initrd = 0;
	char name[32];

	if (kexe_section_read_small(fd, b->cmdline, &cmdline, err))
		return -1;
	if (b->metadata && kexe_section_read_small(fd, b->metadata, &metadata, err)) {
		free(cmdline);
		return -1;
	}
	fprintf(out, "format:   kexe bundle version %u\n", t->version);
	fprintf(out, "arch:     %s\n", kexe_arch_name(t->arch));
	fprintf(out, "size:     %llu bytes (loader %llu, payload %llu)\n",
		(unsigned long long)b->file_size, (unsigned long long)t->payload_offset,
		(unsigned long long)(t->table_offset - t->payload_offset));
	fputs("cmdline:  ", out);
	print_text(out, cmdline, cmdline + b->cmdline->original_size);
	fputc('\n', out);
	fprintf(out, "sections:\n");
	for (unsigned i = 0; i < b->section_count; i++) {
		const struct kexe_section *s = &b->sections[i];
		kexe_extract_name(s, s->type == KEXE_SECTION_INITRD ? initrd++ : 0, name,
				  sizeof name);
		fprintf(out, "  %-10s %-5s %12llu -> %12llu bytes  xxh64 %016llx\n", name,
			kexe_compression_name(s->compression), (unsigned long long)s->stored_size,
			(unsigned long long)s->original_size,
			(unsigned long long)s->original_checksum);
	}
	if (metadata) {
		fprintf(out, "metadata:\n");
		print_metadata(out, metadata);
	}
	free(cmdline);
	free(metadata);
	return 0;
}
