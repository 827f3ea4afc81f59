#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"

#define HEADER_SIZE 110
#define S_DIR 0040000u
#define S_REG 0100000u

void kexe_cpio_init(struct kexe_cpio *c)
{
	memset(c, 0, sizeof *c);
	c->next_ino = 1;
}

void kexe_cpio_free(struct kexe_cpio *c)
{
	free(c->data);
	kexe_cpio_init(c);
}

int kexe_cpio_path_ok(const char *path)
{
	size_t len = strlen(path);
	const char *p = path;

	if (len == 0 || len > KEXE_CPIO_MAX_PATH || path[0] == '/' || path[len - 1] == '/')
		return 0;
	while (*p) {
		size_t part = strcspn(p, "/");
		if (part == 0 || (part == 1 && p[0] == '.') || (part == 2 && !strncmp(p, "..", 2)))
			return 0;
		p += part + (p[part] == '/');
	}
	return 1;
}

static int reserve(struct kexe_cpio *c, size_t more, struct kexe_err *err)
{
	size_t cap = c->capacity ? c->capacity : 4096;
	unsigned char *p;

	if (more > KEXE_CPIO_MAX_SIZE - c->size)
		return kexe_fail(err, KEXE_EXIT_USAGE, "carried files exceed %u MiB; carry less",
				 KEXE_CPIO_MAX_SIZE >> 20);
	while (cap < c->size + more)
		cap *= 2;
	if (cap == c->capacity)
		return 0;
	p = realloc(c->data, cap);
	if (!p)
		return kexe_fail(err, KEXE_EXIT_MEMORY,
				 "out of memory building the carried initrd");
	c->data = p;
	c->capacity = cap;
	return 0;
}

static void pad4(struct kexe_cpio *c)
{
	while (c->size % 4)
		c->data[c->size++] = 0;
}

static int add_entry(struct kexe_cpio *c, const char *path, uint32_t mode, const void *data,
		     size_t len, struct kexe_err *err)
{
	size_t name = strlen(path) + 1;
	char header[HEADER_SIZE + 1];

	if (reserve(c, HEADER_SIZE + name + len + 6, err))
		return -1;
	snprintf(header, sizeof header,
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", c->next_ino++, mode,
		 0u, 0u, (mode & S_DIR) ? 2u : 1u, 0u, (unsigned)len, 0u, 0u, 0u, 0u,
		 (unsigned)name, 0u);
	memcpy(c->data + c->size, header, HEADER_SIZE);
	c->size += HEADER_SIZE;
	memcpy(c->data + c->size, path, name);
	c->size += name;
	pad4(c);
	if (len)
		memcpy(c->data + c->size, data, len);
	c->size += len;
	pad4(c);
	return 0;
}

static int check_path(const char *path, struct kexe_err *err)
{
	if (kexe_cpio_path_ok(path))
		return 0;
	return kexe_fail(err, KEXE_EXIT_USAGE,
			 "invalid path in the carried initrd: \"%.200s\" (use a relative path "
			 "without . or .. parts)",
			 path);
}

int kexe_cpio_add_dir(struct kexe_cpio *c, const char *path, uint32_t mode, struct kexe_err *err)
{
	if (check_path(path, err))
		return -1;
	return add_entry(c, path, S_DIR | (mode & 07777), NULL, 0, err);
}

int kexe_cpio_add_file(struct kexe_cpio *c, const char *path, uint32_t mode, const void *data,
		       size_t len, struct kexe_err *err)
{
	if (check_path(path, err))
		return -1;
	return add_entry(c, path, S_REG | (mode & 07777), data, len, err);
}

/* Whether a directory entry named path (len bytes) is already in the archive. */
static int has_dir(const struct kexe_cpio *c, const char *path, size_t len)
{
	size_t off = 0;

	while (off + HEADER_SIZE <= c->size) {
		const unsigned char *h = c->data + off;
		char field[9] = {0};
		unsigned long mode, size, name;

		memcpy(field, h + 14, 8);
		mode = strtoul(field, NULL, 16);
		memcpy(field, h + 54, 8);
		size = strtoul(field, NULL, 16);
		memcpy(field, h + 94, 8);
		name = strtoul(field, NULL, 16);
		if ((mode & S_DIR) && name == len + 1 && !memcmp(h + HEADER_SIZE, path, len))
			return 1;
		off += (HEADER_SIZE + name + 3) & ~(size_t)3;
		off += (size + 3) & ~(size_t)3;
	}
	return 0;
}

int kexe_cpio_add_parents(struct kexe_cpio *c, const char *path, struct kexe_err *err)
{
	char dir[KEXE_CPIO_MAX_PATH + 1];

	if (check_path(path, err))
		return -1;
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t len = (size_t)(slash - path);
		if (has_dir(c, path, len))
			continue;
		memcpy(dir, path, len);
		dir[len] = 0;
		if (add_entry(c, dir, S_DIR | 0755, NULL, 0, err))
			return -1;
	}
	return 0;
}

int kexe_cpio_finish(struct kexe_cpio *c, struct kexe_err *err)
{
	return add_entry(c, "TRAILER!!!", 0, NULL, 0, err);
}
