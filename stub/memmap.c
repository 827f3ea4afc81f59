#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memmap.h"
#include "seam.h"

#define DIR_PATH "/sys/firmware/memmap"

uint32_t kexe_memmap_type(const char *name)
{
	static const struct {
		const char *name;
		uint32_t type;
	} types[] = {{"System RAM", 1},
		     {"Reserved", 2},
		     {"ACPI Tables", 3},
		     {"ACPI Non-volatile Storage", 4},
		     {"Unusable memory", 5},
		     {"Persistent Memory", 7},
		     {"Persistent Memory (legacy)", 12},
		     {"Soft Reserved", 0xefffffff}};

	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcmp(name, types[i].name))
			return types[i].type;
	return 2; /* anything else is not for the new kernel to use */
}

static int read_field(const char *entry, const char *field, char *buf, size_t size)
{
	char path[300];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, DIR_PATH "/%s/%s", entry, field);
	fd = kexe_seam.open_host(path);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int read_entry(const char *entry, struct kexe_mem_range *r)
{
	char start[32], end[32], type[64];

	if (read_field(entry, "start", start, sizeof start) ||
	    read_field(entry, "end", end, sizeof end) ||
	    read_field(entry, "type", type, sizeof type))
		return -1;
	r->start = strtoull(start, NULL, 16);
	r->end = strtoull(end, NULL, 16);
	r->type = kexe_memmap_type(type);
	return r->end >= r->start ? 0 : -1;
}

static void sort(struct kexe_memmap *m)
{
	for (unsigned i = 1; i < m->count; i++)
		for (unsigned j = i; j > 0 && m->ranges[j - 1].start > m->ranges[j].start; j--) {
			struct kexe_mem_range t = m->ranges[j];
			m->ranges[j] = m->ranges[j - 1];
			m->ranges[j - 1] = t;
		}
}

int kexe_memmap_read(struct kexe_memmap *m, struct kexe_err *err)
{
	int fd = kexe_seam.open_host(DIR_PATH);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	m->count = 0;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return kexe_fail(err, KEXE_EXIT_HOST,
				 "kexec_load needs the firmware memory map, and %s is missing "
				 "(CONFIG_FIRMWARE_MEMMAP); use --syscall file",
				 DIR_PATH);
	}
	while ((e = readdir(dir)) && m->count < KEXE_MEMMAP_MAX)
		if (e->d_name[0] != '.' && read_entry(e->d_name, &m->ranges[m->count]) == 0)
			m->count++;
	closedir(dir);
	sort(m);
	if (m->count == 0)
		return kexe_fail(err, KEXE_EXIT_HOST, "%s is empty; use --syscall file", DIR_PATH);
	return 0;
}
