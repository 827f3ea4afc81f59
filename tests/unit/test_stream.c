/* The streamed bundle (lib/stream.c): the shell form's loader reading the payload from a pipe.
 * Each test packs a bundle, writes its loader part to a memfd and feeds the rest through a pipe
 * from a child process in small writes, so reads come back short as from a network. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bytes.h"
#include "decode.h"
#include "fixtures.h"
#include "io.h"
#include "kernel.h"
#include "stream.h"
#include "test.h"
#include "writer.h"
#include "xxh64.h"

struct streamed {
	unsigned char *data; /* the whole bundle */
	uint64_t size, payload, table;
	unsigned char sha[KEXE_SHA256_SIZE];
	int self, in;
	pid_t writer;
	struct kexe_bundle b;
};

static unsigned char kernel[6u << 20];

/* Keeps a copy of the bundle in fd (size bytes) and of its numbers in s. */
static int load(struct streamed *s, int fd, uint64_t size)
{
	struct kexe_sha256 h;

	s->data = malloc((size_t)size);
	if (!s->data || pread(fd, s->data, (size_t)size, 0) != (ssize_t)size)
		return -1;
	close(fd);
	s->size = size;
	s->payload = kexe_le64(s->data + size - KEXE_TRAILER_SIZE + 16);
	s->table = kexe_le64(s->data + size - KEXE_TRAILER_SIZE + 24);
	kexe_sha256_init(&h);
	kexe_sha256_update(&h, s->data, (size_t)size);
	kexe_sha256_final(&h, s->sha);
	s->self = memfd_create("loader", MFD_CLOEXEC);
	s->in = -1;
	s->writer = -1;
	return s->self >= 0 && write(s->self, s->data, (size_t)s->payload) == (ssize_t)s->payload
		   ? 0
		   : -1;
}

/* The default fixture: a raw kernel, two initrds, cmdline, metadata. */
static int small_bundle(struct streamed *s)
{
	static struct fixture fx;

	if (fixture_default(&fx))
		return -1;
	return load(s, fx.fd, fx.size);
}

/* A 6 MiB kernel that LZ4 shrinks by only about a fifth: peeking its header reads most of the
 * first 4 MiB block. */
static int big_bundle(struct streamed *s)
{
	static const char cmdline[] = "console=ttyS0";
	struct kexe_pack_input in[2] = {
	    {KEXE_SECTION_KERNEL, kernel, sizeof kernel},
	    {KEXE_SECTION_CMDLINE, (const unsigned char *)cmdline, sizeof cmdline - 1},
	};
	struct kexe_pack_options opt = {.arch = KEXE_ARCH_X86_64, .lz4_level = 1};
	unsigned char stub[3000];
	struct kexe_err err;
	int fd = memfd_create("big", MFD_CLOEXEC);

	fixture_bytes(kernel, sizeof kernel, 0, 5);
	for (size_t i = 0; i + 128 <= sizeof kernel; i += 128)
		memset(kernel + i, 0, 12);
	fixture_bytes(stub, sizeof stub, 0, 9);
	if (fd < 0 || kexe_bundle_write(fd, stub, sizeof stub, in, 2, &opt, &err))
		return -1;
	return load(s, fd, (uint64_t)lseek(fd, 0, SEEK_END));
}

/* Starts a child writing bytes [from, to) of the bundle (then extra, when not NULL) into a pipe
 * in 1000-byte writes; s->in is the read end. flip >= 0 flips that bundle byte on the way. */
static void feed(struct streamed *s, uint64_t from, uint64_t to, const char *extra, int64_t flip)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		abort();
	s->writer = fork();
	if (s->writer == 0) {
		signal(SIGPIPE, SIG_DFL);
		close(p[0]);
		if (flip >= 0)
			s->data[flip] ^= 0x20;
		for (uint64_t off = from; off < to; off += 1000) {
			size_t n = to - off < 1000 ? (size_t)(to - off) : 1000;
			if (write(p[1], s->data + off, n) != (ssize_t)n)
				_exit(1);
		}
		if (extra && write(p[1], extra, strlen(extra)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	s->in = p[0];
}

/* The usual stream: everything after the loader. */
static void feed_all(struct streamed *s)
{
	feed(s, s->payload, s->size, NULL, -1);
}

static int attach(struct streamed *s, const unsigned char *sha, struct kexe_err *err)
{
	return kexe_stream_attach(s->in, s->self, s->payload, s->data + s->table,
				  (size_t)(s->size - s->table), sha, err);
}

static void done(struct streamed *s)
{
	kexe_stream_detach();
	if (s->in >= 0)
		close(s->in);
	if (s->writer > 0)
		waitpid(s->writer, NULL, 0);
	close(s->self);
	free(s->data);
}

/* Decodes section i of the bundle from the stream and compares it with the packed bytes. */
static int decode_matches(struct streamed *s, const struct kexe_section *sec, const void *want,
			  struct kexe_err *err)
{
	unsigned char *out = malloc((size_t)sec->original_size + 1);
	int same;

	if (!out || kexe_section_decode(s->in, sec, out, NULL, NULL, err)) {
		free(out);
		return 0;
	}
	same = !memcmp(out, want, (size_t)sec->original_size);
	free(out);
	return same;
}

TEST(stream_reads_in_file_order_and_finishes)
{
	static struct fixture fx;
	struct streamed s;
	struct kexe_err err = {0};
	uint64_t size;
	char *text;

	CHECK(fixture_default(&fx) == 0);
	CHECK(small_bundle(&s) == 0);
	feed_all(&s);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_file_size(s.in, &size, &err) == 0 && size == s.size);
	CHECK(kexe_bundle_open(s.in, &s.b, 1, &err) == 0);
	CHECK(decode_matches(&s, s.b.kernel, fx.kernel, &err));
	CHECK(decode_matches(&s, s.b.initrds[0], fx.initrd[0], &err));
	CHECK(decode_matches(&s, s.b.initrds[1], fx.initrd[1], &err));
	CHECK(kexe_section_read_small(s.in, s.b.cmdline, &text, &err) == 0);
	CHECK(!strcmp(text, fx.cmdline));
	free(text);
	CHECK(kexe_section_read_small(s.in, s.b.metadata, &text, &err) == 0);
	free(text);
	CHECK(kexe_stream_finish(&err) == 0);
	CHECK(kexe_stream_finish(&err) == 0); /* again: still fine */
	close(fx.fd);
	done(&s);
}

TEST(stream_peek_then_decode_reads_the_kept_prefix)
{
	struct streamed s;
	struct kexe_err err = {0};
	unsigned char head[KEXE_KERNEL_PROBE_SIZE];
	size_t got;

	CHECK(big_bundle(&s) == 0);
	feed_all(&s);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_bundle_open(s.in, &s.b, 1, &err) == 0);
	CHECK(s.b.kernel->compression == KEXE_COMPRESSION_LZ4);
	/* the first block must be large, or this test proves nothing about the kept size */
	CHECK(s.b.kernel->stored_size > (5u << 20));
	CHECK(kexe_section_peek(s.in, s.b.kernel, head, sizeof head, &got, &err) == 0);
	CHECK(got == sizeof head && !memcmp(head, kernel, sizeof head));
	CHECK(decode_matches(&s, s.b.kernel, kernel, &err));
	CHECK(kexe_stream_finish(&err) == 0);
	done(&s);
}

TEST(stream_refuses_to_go_back_past_what_it_kept)
{
	struct streamed s;
	struct kexe_err err = {0};
	unsigned char buf[64];

	CHECK(big_bundle(&s) == 0);
	feed_all(&s);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_pread_full(s.in, buf, sizeof buf, s.payload + KEXE_STREAM_KEEP - 64, &err) == 0);
	CHECK(!memcmp(buf, s.data + s.payload + KEXE_STREAM_KEEP - 64, sizeof buf));
	/* kept: the start of the payload */
	CHECK(kexe_pread_full(s.in, buf, sizeof buf, s.payload + 100, &err) == 0);
	CHECK(!memcmp(buf, s.data + s.payload + 100, sizeof buf));
	/* a read past the kept bytes lets them go */
	CHECK(kexe_pread_full(s.in, buf, sizeof buf, s.payload + (5u << 20), &err) == 0);
	CHECK(!memcmp(buf, s.data + s.payload + (5u << 20), sizeof buf));
	CHECK(kexe_pread_full(s.in, buf, sizeof buf, s.payload + 100, &err) == -1);
	CHECK(strstr(err.msg, "read out of order") && strstr(err.msg, "run it as a file"));
	CHECK(kexe_pread_full(s.in, buf, sizeof buf, s.payload + (5u << 20) + 32, &err) == -1);
	done(&s);
}

TEST(stream_cut_off_is_refused_with_where)
{
	struct streamed s;
	struct kexe_err err = {0};
	char want[96];

	/* in the payload */
	CHECK(small_bundle(&s) == 0);
	feed(&s, s.payload, s.payload + 30000, NULL, -1);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_bundle_open(s.in, &s.b, 1, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1 && err.code == KEXE_EXIT_BUNDLE);
	snprintf(want, sizeof want, "ended early at byte %llu of %llu",
		 (unsigned long long)(s.payload + 30000), (unsigned long long)s.size);
	CHECK(strstr(err.msg, want) && strstr(err.msg, "download it again"));
	done(&s);

	/* in the table, which the loader already has from the index */
	CHECK(small_bundle(&s) == 0);
	feed(&s, s.payload, s.size - 10, NULL, -1);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1 && strstr(err.msg, "ended early"));
	done(&s);
}

TEST(stream_with_bytes_after_the_bundle_is_refused)
{
	struct streamed s;
	struct kexe_err err = {0};

	CHECK(small_bundle(&s) == 0);
	feed(&s, s.payload, s.size, "x", -1);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1 && err.code == KEXE_EXIT_BUNDLE);
	CHECK(strstr(err.msg, "bytes after the bundle") != NULL);
	done(&s);
}

TEST(stream_whose_table_differs_from_the_index_is_refused)
{
	struct streamed s;
	struct kexe_err err = {0};

	CHECK(small_bundle(&s) == 0);
	feed(&s, s.payload, s.size, NULL, (int64_t)s.table + 60); /* a reserved byte */
	CHECK(attach(&s, NULL, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1);
	CHECK(strstr(err.msg, "section table or trailer differs") != NULL);
	done(&s);
}

TEST(stream_sha256_is_of_the_whole_bundle)
{
	struct streamed s;
	struct kexe_err err = {0};
	unsigned char wrong[KEXE_SHA256_SIZE];
	char hex[KEXE_SHA256_HEX_SIZE];

	/* a byte of the cmdline that nothing reads (as with --cmdline): only the SHA-256 sees it */
	CHECK(small_bundle(&s) == 0);
	CHECK(kexe_bundle_open(s.self, &s.b, 0, &err) == -1); /* (the loader alone is no bundle) */
	feed(&s, s.payload, s.size, NULL, (int64_t)(s.table - 30));
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1 && err.code == KEXE_EXIT_BUNDLE);
	kexe_sha256_to_hex(s.sha, hex);
	CHECK(strstr(err.msg, "the streamed bundle's SHA-256 is ") && strstr(err.msg, hex));
	done(&s);

	/* a loader byte: the SHA-256 starts with the loader's file */
	CHECK(small_bundle(&s) == 0);
	s.data[100] ^= 1;
	CHECK(pwrite(s.self, s.data + 100, 1, 100) == 1);
	s.data[100] ^= 1;
	feed_all(&s);
	CHECK(attach(&s, s.sha, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1 && strstr(err.msg, "SHA-256"));
	done(&s);

	/* no damage, another expected sum */
	CHECK(small_bundle(&s) == 0);
	memcpy(wrong, s.sha, sizeof wrong);
	wrong[0] ^= 1;
	feed_all(&s);
	CHECK(attach(&s, wrong, &err) == 0);
	CHECK(kexe_stream_finish(&err) == -1 && strstr(err.msg, "SHA-256"));
	done(&s);
}

TEST(stream_hostile_index_is_refused_before_any_read)
{
	struct streamed s;
	struct kexe_err err = {0};
	unsigned char idx[KEXE_STREAM_MAX_INDEX + 64], *t;
	size_t len;

	CHECK(small_bundle(&s) == 0);
	len = (size_t)(s.size - s.table);
	memcpy(idx, s.data + s.table, len);
	t = idx + len - KEXE_TRAILER_SIZE;
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx, 0, NULL, &err) == -1);
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx + len - 64, 64, NULL, &err) == -1);
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx + 1, len - 1, NULL, &err) == -1);
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx, sizeof idx, NULL, &err) == -1);
	CHECK(strstr(err.msg, "bad bundle index") != NULL);
	CHECK(kexe_stream_attach(0, s.self, s.payload + 4096, idx, len, NULL, &err) == -1);
	t[0] ^= 1; /* magic */
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx, len, NULL, &err) == -1);
	t[0] ^= 1;
	kexe_put64(t + 24, s.payload - 1); /* table before the payload */
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx, len, NULL, &err) == -1);
	kexe_put64(t + 24, UINT64_MAX - 100); /* size would wrap */
	CHECK(kexe_stream_attach(0, s.self, s.payload, idx, len, NULL, &err) == -1);
	CHECK(kexe_stream_fd() == -1);
	/* plausible numbers, but a huge count: the reader refuses it */
	kexe_put64(t + 24, s.table);
	kexe_put32(t + 32, 0xffffffffu);
	kexe_put64(t + 56, kexe_xxh64(t, 56));
	CHECK(kexe_stream_attach(7, s.self, s.payload, idx, len, NULL, &err) == 0);
	CHECK(kexe_bundle_open(7, &s.b, 1, &err) == -1 && err.code == KEXE_EXIT_BUNDLE);
	/* the loader's file must be the loader */
	kexe_put32(t + 32, kexe_le32(s.data + s.size - 32));
	CHECK(ftruncate(s.self, (off_t)s.payload - 1) == 0);
	CHECK(kexe_stream_attach(7, s.self, s.payload, idx, len, NULL, &err) == -1);
	CHECK(strstr(err.msg, "loader's file is") != NULL);
	done(&s);
}

/* pattern with S the SHA-256, I the index (hex), s and i both cut short */
static void expand(const char *pattern, const char *sha, const char *idx, char *out)
{
	for (; *pattern; pattern++) {
		switch (*pattern) {
		case 'S':
		case 's':
			out += sprintf(out, "%.*s", *pattern == 'S' ? 64 : 63, sha);
			break;
		case 'I':
		case 'i':
			out += sprintf(out, "%.*s", *pattern == 'I' ? (int)strlen(idx) : 60, idx);
			break;
		default:
			*out++ = *pattern;
		}
	}
	*out = 0;
}

TEST(stream_spec_is_parsed_strictly)
{
	static const char *const bad[] = {
	    "",
	    "0",
	    "0:",
	    "0:8192",
	    "0:8192:",
	    "00:8192:S:I",
	    "0:08192:S:I",
	    "x:8192:S:I",
	    "0:8192:S",
	    "0:8192:SA:I",
	    "0:8192:S:Ia",
	    "0:8192:S:I:",
	    "1024:8192:S:I",
	    "0:8192:s:I",
	    "-1:8192:S:I",
	    "0:8192:S:i",
	    "0:8192:S:",
	    "0:4096:S:I",
	    "0:8192:S:I0",
	    "0 :8192:S:I",
	};
	struct streamed s;
	struct kexe_err err = {0};
	char sha[KEXE_SHA256_HEX_SIZE], *idx, spec[64000];
	size_t len;

	CHECK(small_bundle(&s) == 0);
	CHECK(s.payload == 8192);
	len = (size_t)(s.size - s.table);
	idx = malloc(2 * len + 1);
	CHECK(idx);
	for (size_t i = 0; i < len; i++)
		snprintf(idx + 2 * i, 3, "%02x", s.data[s.table + i]);
	kexe_sha256_to_hex(s.sha, sha);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		expand(bad[i], sha, idx, spec);
		if (kexe_stream_attach_spec(spec, s.self, &err) == 0)
			printf("  accepted: %.80s\n", spec);
		CHECK(kexe_stream_fd() == -1);
	}
	expand("5:8192:S:I", sha, idx, spec);
	CHECK(kexe_stream_attach_spec(spec, s.self, &err) == 0 && kexe_stream_fd() == 5);
	CHECK(kexe_stream_size() == s.size);
	free(idx);
	done(&s);
}

/* The stub itself on a stream: the checks a file gets, nothing loaded from a bad stream. */
static int run_streamed(struct streamed *s, int64_t flip, uint64_t cut, const char *const *args,
			char *msg, size_t size)
{
	struct kexe_err err;
	int rc, saved = dup(1), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	feed(s, s->payload, s->size - cut, NULL, flip);
	if (attach(s, s->sha, &err))
		return -1;
	fflush(stdout); /* --info and --check print there */
	dup2(null, 1);
	rc = fixture_run_stderr(s->in, args, msg, size);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(null);
	close(s->in);
	waitpid(s->writer, NULL, 0);
	s->in = -1;
	s->writer = -1;
	kexe_stream_detach();
	return rc;
}

TEST(stub_on_a_stream_checks_it_all_before_loading)
{
	static const char *const run[] = {NULL}, *const dry[] = {"--dry-run", NULL};
	static const char *const info[] = {"--info", NULL}, *const check[] = {"--check", NULL};
	static const char *const replace[] = {"--cmdline", "x", NULL};
	struct streamed s;
	char msg[2048];

	fixture_host(0, "[none] integrity\n", 0);
	CHECK(small_bundle(&s) == 0);
	kexe_fake_loads = 0;
	CHECK(run_streamed(&s, -1, 0, dry, msg, sizeof msg) == 0);
	CHECK(strstr(msg, "nothing was loaded") && strstr(msg, "console=ttyS0"));
	CHECK(run_streamed(&s, -1, 0, info, msg, sizeof msg) == 0);
	CHECK(run_streamed(&s, -1, 0, check, msg, sizeof msg) == 0);
	CHECK(kexe_fake_loads == 0);
	CHECK(run_streamed(&s, -1, 0, run, msg, sizeof msg) == 0);
	CHECK(kexe_fake_loads == 1);
	/* cut off, damaged in an initrd, damaged where only the SHA-256 sees it */
	CHECK(run_streamed(&s, -1, 1, run, msg, sizeof msg) == KEXE_EXIT_BUNDLE);
	CHECK(strstr(msg, "ended early") != NULL);
	CHECK(run_streamed(&s, (int64_t)s.payload + 70000, 0, run, msg, sizeof msg) ==
	      KEXE_EXIT_BUNDLE);
	CHECK(strstr(msg, "initrd section") != NULL);
	CHECK(run_streamed(&s, (int64_t)s.table - 30, 0, replace, msg, sizeof msg) ==
	      KEXE_EXIT_BUNDLE);
	CHECK(strstr(msg, "SHA-256") != NULL);
	CHECK(run_streamed(&s, (int64_t)s.table - 30, 0, check, msg, sizeof msg) ==
	      KEXE_EXIT_BUNDLE);
	CHECK(kexe_fake_loads == 1);
	done(&s);
}
