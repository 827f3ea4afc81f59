/* Harness: the newc cpio writer, round trip. The input is a list of operations on one archive;
 * the harness keeps its own list of the entries each successful operation must have added,
 * then reads the finished archive back with a small newc reader and compares.
 * Operation: byte op (0 dir, 1 file, 2 parents), u16 mode, u8 path length, the path bytes, and
 * for a file u16 data length and the data. */
#include <stdlib.h>
#include <string.h>

#include "cpio.h"
#include "util.h"

#define MAX_OPS 256		    /* entries before the harness stops adding */
#define MAX_ENTRIES (MAX_OPS + 128) /* one 255-byte path adds at most 127 parents */
#define HEADER 110

struct entry {
	char path[256];
	uint32_t mode;
	const uint8_t *data;
	size_t size;
};

static struct entry expect[MAX_ENTRIES];
static unsigned n_expect;

static void expect_entry(const char *path, size_t len, uint32_t mode, const uint8_t *data,
			 size_t size)
{
	FUZZ_ASSERT(n_expect < MAX_ENTRIES);
	expect[n_expect] = (struct entry){.mode = mode, .data = data, .size = size};
	memcpy(expect[n_expect].path, path, len); /* the rest of path stays zero */
	n_expect++;
}

static int has_dir(const char *path, size_t len)
{
	for (unsigned i = 0; i < n_expect; i++)
		if ((expect[i].mode & 0170000) == 0040000 && strlen(expect[i].path) == len &&
		    !memcmp(expect[i].path, path, len))
			return 1;
	return 0;
}

/* The rule of lib/cpio.h, written out again: a relative path without empty, "." or ".."
 * components (these paths are too short for its length limit). */
static int path_ok(const char *path)
{
	size_t len = strlen(path);

	if (len == 0 || path[0] == '/' || path[len - 1] == '/')
		return 0;
	for (const char *p = path; *p;) {
		size_t part = strcspn(p, "/");
		if (part == 0 || (part == 1 && p[0] == '.') ||
		    (part == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += part + (p[part] == '/');
	}
	return 1;
}

/* What kexe_cpio_add_parents must add for path: each missing parent directory, mode 0755. */
static void expect_parents(const char *path)
{
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/'))
		if (!has_dir(path, (size_t)(slash - path)))
			expect_entry(path, (size_t)(slash - path), 0040755, NULL, 0);
}

/* The 8 hex digits of field i of the header at h; fails the run on anything else. */
static uint32_t field(const uint8_t *h, int i)
{
	uint32_t v = 0;

	for (int k = 0; k < 8; k++) {
		char c = (char)h[6 + 8 * i + k];
		FUZZ_ASSERT((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
		v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : c - 'A' + 10);
	}
	return v;
}

/* Reads the entry at *off, which must have inode number ino and e's path, mode and data; moves
 * *off past it and its padding, which must be zero. */
static void read_entry(const struct kexe_cpio *c, size_t *off, uint32_t ino, const struct entry *e)
{
	const uint8_t *h = c->data + *off;
	size_t name = strlen(e->path) + 1;

	FUZZ_ASSERT(*off % 4 == 0 && c->size - *off >= HEADER);
	FUZZ_ASSERT(memcmp(h, "070701", 6) == 0);
	FUZZ_ASSERT(field(h, 0) == ino && field(h, 1) == e->mode);
	FUZZ_ASSERT(field(h, 6) == e->size && field(h, 11) == name);
	FUZZ_ASSERT(field(h, 2) == 0 && field(h, 3) == 0 && field(h, 5) == 0); /* root, time 0 */
	FUZZ_ASSERT(field(h, 4) == ((e->mode & 0040000) ? 2 : 1));
	*off += HEADER;
	FUZZ_ASSERT(c->size - *off >= name && memcmp(c->data + *off, e->path, name) == 0);
	for (*off += name; *off % 4; ++*off)
		FUZZ_ASSERT(*off < c->size && c->data[*off] == 0);
	FUZZ_ASSERT(c->size - *off >= e->size);
	FUZZ_ASSERT(e->size == 0 || memcmp(c->data + *off, e->data, e->size) == 0);
	for (*off += e->size; *off % 4; ++*off)
		FUZZ_ASSERT(*off < c->size && c->data[*off] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct entry trailer = {.path = "TRAILER!!!"};
	struct kexe_cpio c;
	struct kexe_err err;
	size_t at = 0, off = 0;

	kexe_cpio_init(&c);
	n_expect = 0;
	while (n_expect < MAX_OPS && size - at >= 4) {
		int op = data[at] % 3;
		uint32_t mode = (uint32_t)(data[at + 1] | data[at + 2] << 8);
		size_t len = data[at + 3], data_len = 0;
		char path[256];
		const uint8_t *body;
		int rc;

		at += 4;
		if (size - at < len)
			break;
		memcpy(path, data + at, len);
		path[len] = 0;
		at += len;
		if (op == 1 && size - at >= 2) {
			data_len = (size_t)(data[at] | data[at + 1] << 8);
			at += 2;
			data_len = data_len < size - at ? data_len : size - at;
		}
		body = data + at;
		at += data_len;
		if (op == 0)
			rc = kexe_cpio_add_dir(&c, path, mode, &err);
		else if (op == 1)
			rc = kexe_cpio_add_file(&c, path, mode, body, data_len, &err);
		else
			rc = kexe_cpio_add_parents(&c, path, &err);
		/* every refusal is of the path: the archive stays far below its size limit */
		FUZZ_ASSERT(!kexe_cpio_path_ok(path) == !path_ok(path));
		FUZZ_ASSERT(!rc == !!path_ok(path));
		if (rc)
			continue;
		if (op == 0)
			expect_entry(path, strlen(path), 0040000 | (mode & 07777), NULL, 0);
		else if (op == 1)
			expect_entry(path, strlen(path), 0100000 | (mode & 07777), body, data_len);
		else
			expect_parents(path);
	}
	FUZZ_ASSERT(kexe_cpio_finish(&c, &err) == 0);
	for (unsigned i = 0; i < n_expect; i++)
		read_entry(&c, &off, i + 1, &expect[i]);
	read_entry(&c, &off, n_expect + 1, &trailer);
	FUZZ_ASSERT(off == c.size);
	kexe_cpio_free(&c);
	return 0;
}
