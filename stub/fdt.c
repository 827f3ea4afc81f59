#include <string.h>

#include "fdt.h"

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define HEADER_SIZE 40
#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

struct writer {
	unsigned char *out;
	size_t cap, pos;
	int full;
};

static void emit(struct writer *w, const void *data, size_t n)
{
	if (w->full || n > w->cap - w->pos) {
		w->full = 1;
		return;
	}
	memcpy(w->out + w->pos, data, n);
	w->pos += n;
	while (w->pos % 4 && w->pos < w->cap) /* every item of the structure block is padded */
		w->out[w->pos++] = 0;
}

static void emit32(struct writer *w, uint32_t v)
{
	unsigned char b[4];

	put_be32(b, v);
	emit(w, b, 4);
}

static void emit_prop(struct writer *w, uint32_t nameoff, const void *value, uint32_t len)
{
	emit32(w, FDT_PROP);
	emit32(w, len);
	emit32(w, nameoff);
	if (len)
		emit(w, value, len);
}

static void emit_u64_prop(struct writer *w, uint32_t nameoff, uint64_t v)
{
	unsigned char b[8];

	put_be32(b, (uint32_t)(v >> 32));
	put_be32(b + 4, (uint32_t)v);
	emit_prop(w, nameoff, b, 8);
}

/* The properties kexe replaces in /chosen: the first N_SET are written again, the seeds
 * (indices SEEDS, SEEDS + 1) only when new ones are given, the crash-kernel ones never. */
static const char *const names[] = {
    "bootargs", "linux,initrd-start", "linux,initrd-end",	  "kaslr-seed",
    "rng-seed", "linux,elfcorehdr",   "linux,usable-memory-range"};
#define N_SET 5
#define SEEDS 3

struct tree {
	const unsigned char *structs, *strings;
	size_t struct_size, strings_size;
	const unsigned char *seeds;
	uint32_t nameoff[N_SET]; /* offsets of names[] in the new strings block */
};

static int replaced(const struct tree *t, uint32_t nameoff)
{
	if (nameoff >= t->strings_size)
		return 0;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if ((t->seeds || (i != SEEDS && i != SEEDS + 1)) &&
		    strlen(names[i]) < t->strings_size - nameoff &&
		    !memcmp(t->strings + nameoff, names[i], strlen(names[i]) + 1))
			return 1;
	return 0;
}

static void emit_chosen(struct writer *w, const struct tree *t, const char *cmdline,
			uint64_t initrd_start, uint64_t initrd_end)
{
	emit_prop(w, t->nameoff[0], cmdline, (uint32_t)strlen(cmdline) + 1);
	if (initrd_end > initrd_start) {
		emit_u64_prop(w, t->nameoff[1], initrd_start);
		emit_u64_prop(w, t->nameoff[2], initrd_end);
	}
	if (t->seeds) {
		emit_prop(w, t->nameoff[SEEDS], t->seeds, KEXE_FDT_KASLR_SEED);
		emit_prop(w, t->nameoff[SEEDS + 1], t->seeds + KEXE_FDT_KASLR_SEED,
			  KEXE_FDT_RNG_SEED);
	}
}

/* Copies the structure block, rewriting /chosen. Returns 0, or -1 when it is malformed. */
static int copy_structs(struct writer *w, const struct tree *t, const char *cmdline,
			uint64_t initrd_start, uint64_t initrd_end)
{
	size_t pos = 0;
	int depth = 0, in_chosen = 0, seen_chosen = 0;

	while (pos + 4 <= t->struct_size) {
		uint32_t token = be32(t->structs + pos);
		const unsigned char *item = t->structs + pos;
		size_t n;

		pos += 4;
		switch (token) {
		case FDT_BEGIN_NODE:
			n = strnlen((const char *)t->structs + pos, t->struct_size - pos);
			if (pos + n >= t->struct_size)
				return -1;
			depth++;
			if (depth == 2 && !strcmp((const char *)t->structs + pos, "chosen"))
				in_chosen = seen_chosen = 1;
			emit(w, item, 4 + n + 1);
			pos = ALIGN4(pos + n + 1);
			break;
		case FDT_END_NODE:
			if (depth == 2 && in_chosen) {
				emit_chosen(w, t, cmdline, initrd_start, initrd_end);
				in_chosen = 0;
			}
			if (depth == 1 && !seen_chosen) { /* the root ends: add /chosen */
				emit32(w, FDT_BEGIN_NODE);
				emit(w, "chosen", 7);
				emit_chosen(w, t, cmdline, initrd_start, initrd_end);
				emit32(w, FDT_END_NODE);
				seen_chosen = 1;
			}
			if (--depth < 0)
				return -1;
			emit32(w, FDT_END_NODE);
			break;
		case FDT_PROP:
			if (pos + 8 > t->struct_size)
				return -1;
			n = be32(t->structs + pos);
			if (n > t->struct_size - pos - 8)
				return -1;
			if (!(in_chosen && depth == 2 && replaced(t, be32(t->structs + pos + 4))))
				emit(w, item, 12 + n);
			pos = ALIGN4(pos + 8 + n);
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth != 0 || !seen_chosen)
				return -1;
			emit32(w, FDT_END);
			return 0;
		default:
			return -1;
		}
	}
	return -1;
}

size_t kexe_fdt_set_chosen(const unsigned char *in, size_t len, const char *cmdline,
			   uint64_t initrd_start, uint64_t initrd_end, const unsigned char *seeds,
			   unsigned char *out, size_t cap)
{
	struct writer w = {out, cap, 0, 0};
	struct tree t;
	int n_set = seeds ? N_SET : SEEDS; /* the names written */
	size_t total, off_struct, off_strings, off_rsv, rsv_end, strings_start, struct_start;

	if (len < HEADER_SIZE || be32(in) != KEXE_FDT_MAGIC || be32(in + 20) < 16 ||
	    cap < HEADER_SIZE)
		return 0;
	total = be32(in + 4);
	off_struct = be32(in + 8);
	off_strings = be32(in + 12);
	off_rsv = be32(in + 16);
	t.strings_size = be32(in + 32);
	t.struct_size = be32(in + 36);
	if (total > len || off_struct > total || t.struct_size > total - off_struct ||
	    off_strings > total || t.strings_size > total - off_strings || off_rsv > total ||
	    off_rsv % 8 || off_struct % 4)
		return 0;
	t.structs = in + off_struct;
	t.strings = in + off_strings;
	t.seeds = seeds;
	for (rsv_end = off_rsv;; rsv_end += 16) { /* (address, size) pairs up to (0, 0) */
		if (rsv_end + 16 > total)
			return 0;
		if (!memcmp(in + rsv_end, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16))
			break;
	}
	memset(out, 0, HEADER_SIZE);
	w.pos = HEADER_SIZE;
	emit(&w, in + off_rsv, rsv_end + 16 - off_rsv);
	struct_start = w.pos;
	/* the new strings: the old ones, then the names we set that are not among them */
	for (int i = 0; i < n_set; i++) {
		size_t k = strlen(names[i]) + 1, extra = 0;
		t.nameoff[i] = UINT32_MAX;
		for (size_t o = 0; o + k <= t.strings_size && t.nameoff[i] == UINT32_MAX; o++)
			if (!memcmp(t.strings + o, names[i], k))
				t.nameoff[i] = (uint32_t)o;
		for (int j = 0; j < i && t.nameoff[i] == UINT32_MAX; j++)
			if (t.nameoff[j] >= t.strings_size)
				extra += strlen(names[j]) + 1;
		if (t.nameoff[i] == UINT32_MAX)
			t.nameoff[i] = (uint32_t)(t.strings_size + extra);
	}
	if (copy_structs(&w, &t, cmdline, initrd_start, initrd_end) || w.full)
		return 0;
	strings_start = w.pos;
	if (t.strings_size > w.cap - w.pos)
		return 0;
	memcpy(out + w.pos, t.strings, t.strings_size);
	w.pos += t.strings_size;
	for (int i = 0; i < n_set; i++) {
		size_t k = strlen(names[i]) + 1;
		if (t.nameoff[i] < t.strings_size)
			continue;
		if (k > w.cap - w.pos)
			return 0;
		memcpy(out + w.pos, names[i], k);
		w.pos += k;
	}
	put_be32(out, KEXE_FDT_MAGIC);
	put_be32(out + 4, (uint32_t)w.pos);
	put_be32(out + 8, (uint32_t)struct_start);
	put_be32(out + 12, (uint32_t)strings_start);
	put_be32(out + 16, HEADER_SIZE);
	put_be32(out + 20, 17);
	put_be32(out + 24, 16);
	memcpy(out + 28, in + 28, 4); /* boot_cpuid_phys */
	put_be32(out + 32, (uint32_t)(w.pos - strings_start));
	put_be32(out + 36, (uint32_t)(strings_start - struct_start));
	return w.pos;
}
