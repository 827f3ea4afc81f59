/* Unpack throughput: the stub's decoder writing a section into fresh memfd pages, against
 * memcpy of the same bytes into fresh memfd pages (the physical limit of that step on this
 * machine), in the same run. The bundle lies in a file on tmpfs, as a downloaded bundle does.
 *
 *   unpack DIR MIB   writes DIR/bench-*.kexe, prints one line per payload kind */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "format.h"
#include "images.h"
#include "writer.h"

#define ROUNDS 5

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char *fresh_memfd(size_t size, int *fd)
{
	void *p;

	*fd = memfd_create("bench", MFD_CLOEXEC);
	if (*fd < 0 || ftruncate(*fd, (off_t)size))
		abort();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED)
		abort();
	return p;
}

/* Best of ROUNDS: memcpy of the original bytes (already in RAM) into a fresh memfd. */
static double time_memcpy(const unsigned char *src, size_t size)
{
	double best = 1e9;

	for (int r = 0; r < ROUNDS; r++) {
		int fd;
		double t = now();
		unsigned char *dst = fresh_memfd(size, &fd);
		memcpy(dst, src, size);
		munmap(dst, size);
		close(fd);
		t = now() - t;
		best = t < best ? t : best;
	}
	return best;
}

static double time_decode(int bundle, const struct kexe_section *s)
{
	double best = 1e9;
	size_t size = (size_t)s->original_size;

	for (int r = 0; r < ROUNDS; r++) {
		int fd;
		struct kexe_err err;
		double t = now();
		unsigned char *dst = fresh_memfd(size, &fd);
		if (kexe_section_decode(bundle, s, dst, NULL, NULL, &err)) {
			fprintf(stderr, "decode: %s\n", err.msg);
			exit(1);
		}
		munmap(dst, size);
		close(fd);
		t = now() - t;
		best = t < best ? t : best;
	}
	return best;
}

static void bench(const char *dir, const char *kind, size_t size, int compressible)
{
	static struct kexe_bundle b;
	unsigned char *data = malloc(size), kernel[65536], stub[4096] = {0};
	struct kexe_pack_input in[3];
	struct kexe_pack_options opt = {.arch = KEXE_ARCH_X86_64, .lz4_level = 1};
	struct kexe_err err;
	char path[4096];
	double base, ours;
	int fd;

	fixture_bytes(data, size, compressible, 42);
	fixture_bzimage(kernel, sizeof kernel, 2047);
	in[0] = (struct kexe_pack_input){KEXE_SECTION_KERNEL, kernel, sizeof kernel};
	in[1] = (struct kexe_pack_input){KEXE_SECTION_INITRD, data, size};
	in[2] = (struct kexe_pack_input){KEXE_SECTION_CMDLINE, (const unsigned char *)"x", 1};
	snprintf(path, sizeof path, "%s/bench-%s.kexe", dir, kind);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || kexe_bundle_write(fd, stub, sizeof stub, in, 3, &opt, &err) ||
	    kexe_bundle_open(fd, &b, 1, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	base = time_memcpy(data, size);
	ours = time_decode(fd, b.initrds[0]);
	free(data);
	printf("%-14s %6zu MiB stored %-4s  memcpy %7.0f MiB/s  kexe decode %7.0f MiB/s  "
	       "ratio %.2f\n",
	       kind, size >> 20, kexe_compression_name(b.initrds[0]->compression),
	       (double)size / 1048576 / base, (double)size / 1048576 / ours, base / ours);
	close(fd);
	unlink(path);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 300;

	if (argc < 2) {
		fprintf(stderr, "usage: unpack DIR [MIB]\n");
		return 2;
	}
	bench(argv[1], "random", mib << 20, 0);
	bench(argv[1], "compressible", mib << 20, 1);
	return 0;
}
