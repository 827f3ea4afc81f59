#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "input.h"
#include "io.h"
#include "progress.h"
#include "stream.h"
#include "wrap.h"

#define MIB (1024.0 * 1024.0)
#define MARKER "KEXE-SH-BUNDLE-FOLLOWS\n"

/* The script of the shell form. @NAME@ fields are filled in by fill_template(). Everything is
 * a function definition except the last line, so a download cut off anywhere runs nothing;
 * the padding and the bundle follow that line (see wrap.h for why the padding). */
static const char script_template[] =
    "#!/bin/sh\n"
    "# kexe-sh 1\n"
    "# @FILE@: a kexe bundle (Linux kernel, initrds, command line) inside a POSIX sh script.\n"
    "# Run as root; it boots the kernel with kexec. It unpacks the bundle into a fresh directory\n"
    "# where programs may run ($TMPDIR, /tmp, /dev/shm, /run or the current directory, tried in\n"
    "# that order), checks its size and SHA-256, runs it with your options and removes it. From a\n"
    "# pipe it writes only the bundle's loader there, which reads the rest from the pipe:\n"
    "#   sh @FILE@ [OPTION]...   or   ./@FILE@ [OPTION]...\n"
    "#   curl -fsSL URL | sh -s -- [OPTION]...\n"
    "#   ssh root@HOST sh -s -- [OPTION]... < @FILE@\n"
    "# OPTIONs are the bundle's own (--dry-run, --info, --append ARGS, --help, ...).\n"
    "# KEXE_SHA256=HEX refuses to run anything but the bundle with that SHA-256.\n"
    "# Below are only function definitions and, on the last line, the one call: a download\n"
    "# cut off anywhere runs nothing. The bundle itself follows that line. See kexe's\n"
    "# docs/ONE-LINERS.md.\n"
    "\n"
    "kexe_fail() { # CODE MESSAGE: one line on stderr, then exit with CODE\n"
    "\techo \"kexe: $2\" >&2\n"
    "\texit \"$1\"\n"
    "}\n"
    "\n"
    "# shellcheck disable=SC2317 # called by the EXIT trap\n"
    "kexe_cleanup() {\n"
    "\t[ -z \"$kexe_dir\" ] || rm -rf \"$kexe_dir\"\n"
    "}\n"
    "\n"
    "# Is $1 ($0) this script, read from a file (rather than from a pipe)? Piped, $0 is the\n"
    "# shell's name (sh, bash, /bin/sh, -sh), which may also name some file in the current\n"
    "# directory: never that. Else a readable regular file whose second line is \"# kexe-sh 1\" "
    "and\n"
    "# which has this script's own kexe_main line (same bundle size and SHA-256), before its\n"
    "# last line. The loader checks the unpacked bundle's SHA-256 itself (KEXE_FILE_SHA256).\n"
    "kexe_is_script() {\n"
    "\tkexe_line=${1##*/}\n"
    "\tcase ${kexe_line#-} in\n"
    "\t\"\" | sh | ash | bash | dash | busybox | hush | ksh | ksh93 | lksh | mksh | oksh | pdksh | "
    "posh | yash | zsh)\n"
    "\t\treturn 1 ;;\n"
    "\tesac\n"
    "\t[ -f \"$1\" ] && [ -r \"$1\" ] || return 1\n"
    "\tkexe_n=0\n"
    "\twhile IFS= read -r kexe_line; do\n"
    "\t\tkexe_n=$((kexe_n + 1))\n"
    "\t\tcase $kexe_n:$kexe_line in\n"
    "\t\t2:\"# kexe-sh 1\") ;;\n"
    "\t\t2:* | 1000:*) return 1 ;;\n"
    "\t\t*:\"\tkexe_size=$kexe_size kexe_hash=$kexe_hash \"*) return 0 ;;\n"
    "\t\t*:\"{ kexe_self=\"*) return 1 ;;\n"
    "\t\tesac\n"
    "\tdone <\"$1\" 2>/dev/null\n"
    "\treturn 1\n"
    "}\n"
    "\n"
    "# Does the file system of $1 have room for $kexe_need bytes (the bundle, or from a pipe only\n"
    "# its loader)? Yes when df cannot tell (no df, or a size of 0 as ramfs reports).\n"
    "kexe_has_room() {\n"
    "\t# shellcheck disable=SC2046 # split into words on purpose\n"
    "\tset -- $(df -Pk \"$1\" 2>/dev/null) # header (7 words), then: fs blocks used available ...\n"
    "\tcase ${9:-}:${11:-} in *[!0-9:]* | :* | *: | 0:*) return 0 ;; esac\n"
    "\t[ \"${11}\" -gt $((kexe_need / 1024 + 64)) ]\n"
    "}\n"
    "\n"
    "# Sets kexe_dir to a new private directory in which a program actually runs: noexec mounts\n"
    "# are common, and only running something tells.\n"
    "kexe_make_dir() {\n"
    "\tfor kexe_base in ${TMPDIR:+\"$TMPDIR\"} /tmp /dev/shm /run \"$PWD\"; do\n"
    "\t\tif ! { [ -d \"$kexe_base\" ] && [ -w \"$kexe_base\" ] && kexe_has_room \"$kexe_base\"; }; "
    "then\n"
    "\t\t\tcontinue\n"
    "\t\tfi\n"
    "\t\tkexe_dir=$(mktemp -d \"$kexe_base/kexe.XXXXXX\" 2>/dev/null) ||\n"
    "\t\t\t{ kexe_dir=$kexe_base/kexe.$$ && mkdir -m 700 \"$kexe_dir\" 2>/dev/null; } ||\n"
    "\t\t\t{ kexe_dir= && continue; }\n"
    "\t\tprintf '#!/bin/sh\\nexit 0\\n' >\"$kexe_dir/probe\" 2>/dev/null &&\n"
    "\t\t\tchmod 700 \"$kexe_dir/probe\" && \"$kexe_dir/probe\" </dev/null >/dev/null 2>&1 &&\n"
    "\t\t\trm -f \"$kexe_dir/probe\" && return 0\n"
    "\t\trm -rf \"$kexe_dir\"\n"
    "\t\tkexe_dir=\n"
    "\tdone\n"
    "\tkexe_fail 7 \"found no writable directory that lets programs run (tried ${TMPDIR:+$TMPDIR, "
    "}/tmp, /dev/shm, /run, $PWD); set TMPDIR to one\"\n"
    "}\n"
    "\n"
    "# Reads the padding between the last line and the bundle from stdin, one line at a time (the\n"
    "# read builtin never reads past a newline), and stops at the marker line. A shell that reads\n"
    "# its script in blocks (dash 8 KiB, busybox ash 1 KiB, ksh93 up to 64 KiB) has already\n"
    "# swallowed part of the @PAD@ bytes of padding; one that swallowed more would leave a line\n"
    "# that is neither padding nor marker.\n"
    "kexe_skip_padding() {\n"
    "\twhile IFS= read -r kexe_line; do\n"
    "\t\tcase $kexe_line in\n"
    "\t\t\"KEXE-SH-BUNDLE-FOLLOWS\") return 0 ;;\n"
    "\t\t*[!#]*) kexe_fail 2 \"this shell read ahead into the bundle, so it cannot run from a "
    "pipe; download the script first: @RETRY@\" ;;\n"
    "\t\tesac\n"
    "\tdone\n"
    "\tkexe_fail 3 \"the script ended before the bundle (download cut off?); download it again\"\n"
    "}\n"
    "\n"
    "kexe_sha256() { # FILE: sets kexe_sum, or returns 1 when there is no sha256sum\n"
    "\tif command -v sha256sum >/dev/null 2>&1; then\n"
    "\t\tkexe_sum=$(sha256sum <\"$1\") || return 1\n"
    "\telif command -v busybox >/dev/null 2>&1 && busybox sha256sum </dev/null >/dev/null 2>&1; "
    "then\n"
    "\t\tkexe_sum=$(busybox sha256sum <\"$1\") || return 1\n"
    "\telse\n"
    "\t\treturn 1\n"
    "\tfi\n"
    "\tkexe_sum=${kexe_sum%%[!0-9a-f]*}\n"
    "}\n"
    "\n"
    "kexe_verify() { # FILE: right size, and the SHA-256 when a tool for it exists\n"
    "\tkexe_got=$(wc -c <\"$1\") || kexe_fail 7 \"cannot read $1\"\n"
    "\t[ \"$((kexe_got))\" = \"$kexe_size\" ] ||\n"
    "\t\tkexe_fail 3 \"unpacked $((kexe_got)) bytes, the bundle has $kexe_size (download cut off "
    "or changed?); download it again\"\n"
    "\tif kexe_sha256 \"$1\"; then\n"
    "\t\t[ \"$kexe_sum\" = \"$kexe_hash\" ] ||\n"
    "\t\t\tkexe_fail 3 \"the bundle's SHA-256 is $kexe_sum, not $kexe_hash (damaged?); download it "
    "again\"\n"
    "\t\t[ -z \"${KEXE_SHA256:-}\" ] || [ \"$KEXE_SHA256\" = \"$kexe_hash\" ] ||\n"
    "\t\t\tkexe_fail 3 \"this is bundle $kexe_hash, not the one KEXE_SHA256 pins ($KEXE_SHA256); "
    "check the URL\"\n"
    "\telif [ -n \"${KEXE_SHA256:-}\" ]; then\n"
    "\t\tkexe_fail 3 \"KEXE_SHA256 is set but there is no sha256sum here to check it; install "
    "coreutils or busybox, or unset it\"\n"
    "\tfi\n"
    "}\n"
    "\n"
    "# From a pipe only the loader, the bundle's first @STUB@ bytes, is written to a file; it "
    "reads\n"
    "# the rest of the bundle from the pipe itself (KEXE_STREAM), so the payload is never stored.\n"
    "# dd must not read a byte past the loader: its count counts reads, and a read from a pipe "
    "may\n"
    "# return less than bs. iflag=fullblock (GNU, busybox) makes every read a whole block; "
    "without\n"
    "# it, blocks of 1 byte are exact (and slow). head -c may read ahead.\n"
    "kexe_copy_loader() { # FILE, from stdin\n"
    "\tif [ $((kexe_stub % 4096)) = 0 ] &&\n"
    "\t\tdd if=/dev/zero of=/dev/null bs=1 count=1 iflag=fullblock 2>/dev/null; then\n"
    "\t\tdd of=\"$1\" bs=4096 count=$((kexe_stub / 4096)) iflag=fullblock 2>/dev/null\n"
    "\telse\n"
    "\t\tdd of=\"$1\" bs=1 count=\"$kexe_stub\" 2>/dev/null\n"
    "\tfi\n"
    "}\n"
    "\n"
    "kexe_unpack_loader() { # stdin: what follows the last line of the script\n"
    "\tkexe_skip_padding\n"
    "\tkexe_copy_loader \"$kexe_dir/@BIN@\" ||\n"
    "\t\tkexe_fail 7 \"cannot write the loader into $kexe_dir; free some space or set TMPDIR\"\n"
    "}\n"
    "\n"
    "kexe_verify_loader() { # FILE: right size, and the SHA-256 when a tool for it exists\n"
    "\tkexe_got=$(wc -c <\"$1\") || kexe_fail 7 \"cannot read $1\"\n"
    "\t[ \"$((kexe_got))\" = \"$kexe_stub\" ] ||\n"
    "\t\tkexe_fail 3 \"the download ended in the loader ($((kexe_got)) of its $kexe_stub bytes; "
    "cut off?); download it again\"\n"
    "\tif kexe_sha256 \"$1\"; then\n"
    "\t\t[ \"$kexe_sum\" = @STUBSHA256@ ] ||\n"
    "\t\t\tkexe_fail 3 \"the loader's SHA-256 is $kexe_sum, not @STUBSHA256@ (damaged?); download "
    "it again\"\n"
    "\tfi\n"
    "}\n"
    "\n"
    "# Runs the loader on the rest of the bundle, which comes on descriptor $1. The loader checks\n"
    "# every byte of it, and its SHA-256 against $kexe_hash, before it loads anything; so the\n"
    "# KEXE_SHA256 pin needs no sha256sum here.\n"
    "kexe_run_stream() { # FD ARGS...\n"
    "\tkexe_fd=$1\n"
    "\tshift\n"
    "\tkexe_verify_loader \"$kexe_dir/@BIN@\"\n"
    "\tchmod 700 \"$kexe_dir/@BIN@\"\n"
    "\tKEXE_STREAM=$kexe_fd:$kexe_stub:$kexe_hash:@INDEX@ \"$kexe_dir/@BIN@\" \"$@\"\n"
    "}\n"
    "\n"
    "kexe_check_pin() {\n"
    "\t[ -z \"${KEXE_SHA256:-}\" ] || [ \"$KEXE_SHA256\" = \"$kexe_hash\" ] ||\n"
    "\t\tkexe_fail 3 \"this is bundle $kexe_hash, not the one KEXE_SHA256 pins ($KEXE_SHA256); "
    "check the URL\"\n"
    "}\n"
    "\n"
    "kexe_main() {\n"
    "\tkexe_size=@SIZE@ kexe_hash=@SHA256@ kexe_skip=@SKIP@ kexe_stub=@STUB@ kexe_dir=\n"
    "\ttrap kexe_cleanup EXIT\n"
    "\ttrap 'exit 129' HUP\n"
    "\ttrap 'exit 130' INT\n"
    "\ttrap 'exit 143' TERM\n"
    "\tkexe_arch=$(uname -m 2>/dev/null) || kexe_arch=@ARCH@\n"
    "\t[ \"$kexe_arch\" = @ARCH@ ] ||\n"
    "\t\tkexe_fail 3 \"this bundle is for @ARCH@, this machine is $kexe_arch; pack one for "
    "$kexe_arch\"\n"
    "\tif kexe_is_script \"$kexe_self\"; then\n"
    "\t\tkexe_need=$kexe_size\n"
    "\t\tkexe_make_dir\n"
    "\t\tdd if=\"$kexe_self\" of=\"$kexe_dir/@BIN@\" bs=4096 skip=\"$kexe_skip\" 2>/dev/null ||\n"
    "\t\t\tkexe_fail 7 \"cannot unpack $kexe_self into $kexe_dir; free some space or set TMPDIR\"\n"
    "\t\tkexe_verify \"$kexe_dir/@BIN@\"\n"
    "\t\tchmod 700 \"$kexe_dir/@BIN@\"\n"
    "\t\tKEXE_FILE_SHA256=$kexe_hash \"$kexe_dir/@BIN@\" \"$@\"\n"
    "\t\treturn\n"
    "\tfi\n"
    "\t[ -p \"$kexe_self\" ] || [ ! -t 0 ] ||\n"
    "\t\tkexe_fail 2 \"$kexe_self is not this script and stdin is a terminal; run it as sh FILE, "
    "or pipe it into sh\"\n"
    "\tkexe_check_pin\n"
    "\tkexe_need=$kexe_stub\n"
    "\tkexe_make_dir\n"
    "\tif [ -p \"$kexe_self\" ]; then # bash <(curl ...): the script comes through this pipe\n"
    "\t\tkexe_unpack_loader <\"$kexe_self\"\n"
    "\t\tkexe_run_stream 3 \"$@\" 3<\"$kexe_self\" # stdin stays the terminal\n"
    "\telse # curl ... | sh, sh < FILE, ssh HOST sh < FILE\n"
    "\t\tkexe_unpack_loader\n"
    "\t\tkexe_run_stream 0 \"$@\"\n"
    "\tfi\n"
    "}\n"
    "\n"
    "# $0 is read here: inside a function, zsh would give the function's name.\n"
    "{ kexe_self=$0; kexe_main \"$@\"; exit $?; }\n";

/* Characters a file name or URL may have and still be pasted into a command line unquoted. */
static int is_shell_safe(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "._-+/:@%=,~",
			    *s))
			return 0;
	return 1;
}

/* s as one word of a POSIX shell command line: as is when safe, else in single quotes, with
 * each quote in it as \' between quoted runs (a'b -> 'a'\''b'). The one quoting of every name
 * and URL kexe prints as a command. Cut short (still balanced) when buf is too small. */
static const char *quoted(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	int open = 0;

	if (is_shell_safe(s)) {
		snprintf(buf, size, "%s", s);
		return buf;
	}
	if (!*s) {
		snprintf(buf, size, "''");
		return buf;
	}
	for (; *s && n + 4 < size; s++) {
		if (*s == '\'') {
			if (open)
				buf[n++] = '\'';
			open = 0;
			buf[n++] = '\\';
			buf[n++] = '\'';
		} else {
			if (!open)
				buf[n++] = '\'';
			open = 1;
			buf[n++] = *s;
		}
	}
	if (open)
		buf[n++] = '\'';
	buf[n] = 0;
	return buf;
}

int kexe_wrap_check_url(const char *url, struct kexe_err *err)
{
	if (!*url || *url == '-' || strlen(url) > 2000)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "--url must be a URL of 1 to 2000 characters");
	for (const char *p = url; *p; p++)
		if (*p <= ' ' || *p >= 127 || strchr("'\"`$\\", *p))
			return kexe_fail(err, KEXE_EXIT_USAGE,
					 "--url may not contain spaces, quotes, $, ` or \\; "
					 "percent-encode them");
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The .sh file's name for its comments and messages, and the name of the unpacked binary
 * (boot.sh -> boot.kexe), reduced to characters that need no quoting in the script. */
static void names(const char *output, char *file, size_t file_size, char *bin, size_t bin_size)
{
	const char *base = base_name(output);
	size_t len = strlen(base);

	snprintf(file, file_size, "%s", is_shell_safe(base) && len < 100 ? base : "boot.sh");
	len = strlen(file);
	if (len > 3 && !strcmp(file + len - 3, ".sh"))
		len -= 3;
	snprintf(bin, bin_size, "%.*s.kexe", (int)len, file);
}

struct fields {
	char file[128], bin[128], size[32], skip[32], pad[32], sha256[KEXE_SHA256_HEX_SIZE];
	char stub[32], stub_sha256[KEXE_SHA256_HEX_SIZE];
	char index[2 * KEXE_STREAM_MAX_INDEX + 1]; /* table and trailer, hex (lib/stream.h) */
	char retry[2200];
	const char *arch;
};

static const char *field(const struct fields *f, const char *name, size_t len)
{
	static const struct {
		const char *name;
		size_t offset;
	} table[] = {
	    {"FILE", offsetof(struct fields, file)},
	    {"BIN", offsetof(struct fields, bin)},
	    {"SIZE", offsetof(struct fields, size)},
	    {"SKIP", offsetof(struct fields, skip)},
	    {"PAD", offsetof(struct fields, pad)},
	    {"SHA256", offsetof(struct fields, sha256)},
	    {"RETRY", offsetof(struct fields, retry)},
	    {"STUB", offsetof(struct fields, stub)},
	    {"STUBSHA256", offsetof(struct fields, stub_sha256)},
	    {"INDEX", offsetof(struct fields, index)},
	};

	if (len == 4 && !memcmp(name, "ARCH", 4))
		return f->arch;
	for (unsigned i = 0; i < sizeof table / sizeof *table; i++)
		if (strlen(table[i].name) == len && !memcmp(table[i].name, name, len))
			return (const char *)f + table[i].offset;
	return NULL;
}

/* Writes the template with every @NAME@ replaced into out; returns the length, or 0 when it
 * does not fit. */
static size_t fill_template(const struct fields *f, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = script_template; *p;) {
		const char *end = *p == '@' ? strchr(p + 1, '@') : NULL;
		const char *value = end ? field(f, p + 1, (size_t)(end - p - 1)) : NULL;
		size_t len = value ? strlen(value) : 1;

		if (n + len >= size)
			return 0;
		memcpy(out + n, value ? value : p, len);
		n += len;
		p = value ? end + 1 : p + 1;
	}
	return n;
}

/* The script, the padding and the marker line: everything before the bundle, a multiple of
 * KEXE_WRAP_ALIGN long. The skip count is part of the script, so repeat until it is stable. */
static size_t build_header(struct fields *f, char *out, size_t size)
{
	size_t script = 0, total = 0, skip = 0;

	for (int round = 0; round < 4; round++) {
		snprintf(f->skip, sizeof f->skip, "%zu", skip);
		script = fill_template(f, out, size);
		if (!script)
			return 0;
		total = (script + KEXE_WRAP_MIN_PADDING + strlen(MARKER) + KEXE_WRAP_ALIGN - 1) /
			KEXE_WRAP_ALIGN * KEXE_WRAP_ALIGN;
		if (total / KEXE_WRAP_ALIGN == skip)
			break;
		skip = total / KEXE_WRAP_ALIGN;
	}
	if (total / KEXE_WRAP_ALIGN != skip || total > size)
		return 0;
	/* Lines of 63 '#', the last one shorter; a line of only '#' is padding to the script. */
	for (size_t i = script, end = total - strlen(MARKER); i < end; i++)
		out[i] = (i - script) % 64 == 63 || i == end - 1 ? '\n' : '#';
	memcpy(out + total - strlen(MARKER), MARKER, strlen(MARKER));
	return total;
}

/* SHA-256 of the whole bundle, in pieces so a terminal shows progress (bundles reach 1 GB). */
static void hash_bundle(const struct input_file *b, char out[KEXE_SHA256_HEX_SIZE])
{
	const size_t chunk = 1 << 22;
	struct kexe_progress progress;
	struct kexe_sha256 s;
	unsigned char digest[KEXE_SHA256_SIZE];

	kexe_sha256_init(&s);
	kexe_progress_start(&progress, "hashing", b->size);
	for (uint64_t off = 0; off < b->size; off += chunk) {
		size_t n = b->size - off < chunk ? (size_t)(b->size - off) : chunk;
		kexe_sha256_update(&s, b->data + off, n);
		kexe_progress_add(&progress, n);
	}
	kexe_progress_end(&progress);
	kexe_sha256_final(&s, digest);
	kexe_sha256_to_hex(digest, out);
}

static int write_sh(int fd, const struct input_file *b, const char *header, size_t header_len,
		    struct kexe_sha256 *file_hash, struct kexe_err *err)
{
	const size_t chunk = 1 << 20;
	struct kexe_progress progress;
	int rc = 0;

	if (kexe_write_full(fd, header, header_len, "the shell form", err))
		return -1;
	if (file_hash)
		kexe_sha256_update(file_hash, header, header_len);
	kexe_progress_start(&progress, "writing shell form", b->size);
	for (uint64_t off = 0; off < b->size && rc == 0; off += chunk) {
		size_t n = b->size - off < chunk ? (size_t)(b->size - off) : chunk;
		rc = kexe_write_full(fd, b->data + off, n, "the shell form", err);
		if (rc == 0 && file_hash)
			kexe_sha256_update(file_hash, b->data + off, n);
		kexe_progress_add(&progress, n);
	}
	kexe_progress_end(&progress);
	return rc;
}

/* What the script needs to stream the bundle (lib/stream.h): the loader's size and SHA-256, and
 * the section table and trailer as hex. */
static int stream_fields(const struct input_file *b, struct fields *f, struct kexe_err *err)
{
	struct kexe_trailer t;
	uint64_t stub, table;

	if (b->size < KEXE_TRAILER_SIZE)
		return kexe_fail(err, KEXE_EXIT_INTERNAL, "the bundle to wrap has no trailer");
	kexe_trailer_decode(&t, b->data + b->size - KEXE_TRAILER_SIZE);
	stub = t.payload_offset;
	table = t.table_offset;
	if (stub > table || table > b->size || b->size - table > KEXE_STREAM_MAX_INDEX)
		return kexe_fail(err, KEXE_EXIT_INTERNAL, "the bundle to wrap has a bad trailer");
	snprintf(f->stub, sizeof f->stub, "%llu", (unsigned long long)stub);
	kexe_sha256_hex(b->data, (size_t)stub, f->stub_sha256);
	for (uint64_t i = table; i < b->size; i++)
		snprintf(f->index + 2 * (i - table), 3, "%02x", b->data[i]);
	return 0;
}

int kexe_wrap_file(const char *bundle_path, const char *output, uint32_t arch,
		   const struct wrap_options *opt, struct wrap_result *res, struct kexe_err *err)
{
	static char header[KEXE_WRAP_MIN_PADDING + 64 * 1024];
	static struct fields f;
	struct input_file b;
	struct kexe_sha256 file_hash;
	unsigned char digest[KEXE_SHA256_SIZE];
	char tmp[4096], url[2100];
	size_t header_len;
	int fd, rc;

	if (opt->url && kexe_wrap_check_url(opt->url, err))
		return -1;
	memset(&f, 0, sizeof f);
	f.arch = arch == KEXE_ARCH_AARCH64 ? "aarch64" : "x86_64";
	if (input_open(&b, bundle_path, err))
		return -1;
	if (stream_fields(&b, &f, err)) {
		input_close(&b);
		return -1;
	}
	names(output, f.file, sizeof f.file, f.bin, sizeof f.bin);
	snprintf(f.size, sizeof f.size, "%llu", (unsigned long long)b.size);
	snprintf(f.pad, sizeof f.pad, "%d", KEXE_WRAP_MIN_PADDING);
	snprintf(f.retry, sizeof f.retry, "curl -fsSLo %s %s && sh %s", f.file,
		 opt->url ? quoted(opt->url, url, sizeof url) : "URL", f.file);
	hash_bundle(&b, f.sha256);
	header_len = build_header(&f, header, sizeof header);
	if (!header_len) {
		input_close(&b);
		return kexe_fail(err, KEXE_EXIT_INTERNAL, "the shell form's script does not fit");
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", output) >= sizeof tmp) {
		input_close(&b);
		return kexe_fail(err, KEXE_EXIT_USAGE, "output path too long");
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		input_close(&b);
		return kexe_fail(err, KEXE_EXIT_IO, "cannot create a file next to %s: %s", output,
				 strerror(errno));
	}
	kexe_sha256_init(&file_hash);
	rc = write_sh(fd, &b, header, header_len, opt->print_oneliners ? &file_hash : NULL, err);
	if (rc == 0 && (fsync(fd) || fchmod(fd, 0755)))
		rc = kexe_fail(err, KEXE_EXIT_IO, "writing %s failed: %s", tmp, strerror(errno));
	if (close(fd) && rc == 0)
		rc = kexe_fail(err, KEXE_EXIT_IO, "writing %s failed: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, output))
		rc = kexe_fail(err, KEXE_EXIT_IO, "cannot rename %s to %s: %s", tmp, output,
			       strerror(errno));
	if (rc)
		unlink(tmp);
	input_close(&b);
	if (rc == 0 && res) {
		res->path = output;
		res->shell_form = 1;
		memcpy(res->bundle_sha256, f.sha256, sizeof res->bundle_sha256);
		res->file_sha256[0] = 0;
		if (opt->print_oneliners) {
			kexe_sha256_final(&file_hash, digest);
			kexe_sha256_to_hex(digest, res->file_sha256);
		}
	}
	return rc;
}

int kexe_wrap_hash_file(const char *path, char out[KEXE_SHA256_HEX_SIZE], struct kexe_err *err)
{
	struct input_file f;

	if (input_open(&f, path, err))
		return -1;
	hash_bundle(&f, out);
	input_close(&f);
	return 0;
}

int kexe_wrap(const char *bundle_path, const char *output, const struct wrap_options *opt,
	      struct kexe_err *err)
{
	static struct kexe_bundle bundle;
	struct wrap_result res;
	struct stat in, out;
	int fd = open(bundle_path, O_RDONLY | O_CLOEXEC), rc;

	if (!output)
		return kexe_fail(err, KEXE_EXIT_USAGE, "wrap needs -o OUTPUT");
	if (fd < 0)
		return kexe_fail(err, KEXE_EXIT_IO, "cannot open %s: %s", bundle_path,
				 strerror(errno));
	rc = kexe_bundle_open(fd, &bundle, 1, err);
	if (rc == 0 && fstat(fd, &in))
		rc = kexe_fail(err, KEXE_EXIT_IO, "cannot stat %s: %s", bundle_path,
			       strerror(errno));
	close(fd);
	if (rc)
		return -1;
	if (!stat(output, &out) && out.st_dev == in.st_dev && out.st_ino == in.st_ino)
		return kexe_fail(err, KEXE_EXIT_USAGE,
				 "output %s is the bundle %s; choose another -o", output,
				 bundle_path);
	if (kexe_wrap_file(bundle_path, output, bundle.trailer.arch, opt, &res, err))
		return -1;
	if (!stat(output, &out))
		printf("kexe: wrote %s: %.1f MiB (shell form of %s)\n", output,
		       (double)out.st_size / MIB, bundle_path);
	if (opt->print_oneliners)
		kexe_wrap_print_oneliners(stdout, &res, opt->url);
	return 0;
}

/* The remote command that streams a binary bundle over ssh and runs it: into a fresh private
 * directory (mktemp -d, mode 0700: no other user can create, replace or read the file there),
 * run, removed, and the bundle's exit code passed on. It names no file of the caller's, so it
 * needs no quoting inside its single quotes. README.md and docs/ONE-LINERS.md show the same. */
#define STREAM_REMOTE                                                                              \
	"d=$(mktemp -d) && cat > \"$d/b\" && chmod 700 \"$d/b\" && \"$d/b\"; "                     \
	"r=$?; rm -rf \"$d\"; exit $r"

/* A file name as a command's argument, quoted: with "./" first when it would be taken for an
 * option (a leading '-') or, by scp, for a host (a ':' before any '/'). */
static const char *arg_word(const char *path, char *buf, size_t size)
{
	char tmp[4200];
	const char *colon = strchr(path, ':'), *slash = strchr(path, '/');

	if (path[0] == '-' || (colon && (!slash || colon < slash))) {
		snprintf(tmp, sizeof tmp, "./%s", path);
		return quoted(tmp, buf, size);
	}
	return quoted(path, buf, size);
}

/* A word of a command ssh runs: ssh joins its words with spaces and the remote shell parses
 * them again, so the word is quoted twice (once for each shell). */
static const char *remote_word(const char *word, char *buf, size_t size)
{
	char once[2200];

	return quoted(quoted(word, once, sizeof once), buf, size);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 127)
			return 1;
	return 0;
}

/* Every file name and URL in these lines goes through quoted() (arg_word, remote_word): any
 * name, also one with quotes, $(...), backquotes or spaces, pastes as itself. Names with a
 * control character (a newline) are not printed at all. */
void kexe_wrap_print_oneliners(FILE *out, const struct wrap_result *res, const char *url)
{
	char path[4200], name[2200], rel[600], u[2100], sumline[700], sumword[1600];
	const char *base = base_name(res->path);

	fprintf(out, "\nRun it as root on HOST (docs/ONE-LINERS.md says what each needs):\n");
	if (has_control(res->path)) {
		fprintf(out, "  (not printed: the file name has a control character, such as a "
			     "newline; rename the file)\n");
		return;
	}
	arg_word(res->path, path, sizeof path);
	quoted(url ? url : "URL", u, sizeof u);
	snprintf(rel, sizeof rel, "./%s", base);
	if (!res->shell_form) {
		fprintf(out, "  copy, run:        scp %s root@HOST: && ssh root@HOST %s\n", path,
			remote_word(rel, name, sizeof name));
		fprintf(out, "  stream over ssh:  ssh root@HOST '" STREAM_REMOTE "' < %s\n", path);
		fprintf(out, "  check it there:   sha256sum %s   # %s\n",
			arg_word(base, name, sizeof name), res->bundle_sha256);
		fprintf(out,
			"  download there:   sh kexe-boot.sh %s %s   # scripts/kexe-boot.sh\n"
			"  for curl | sh, make the shell form: kexe wrap %s -o boot.sh --url URL\n",
			u, res->bundle_sha256, path);
		return;
	}
	fprintf(out, "  copy, run:        scp %s root@HOST: && ssh root@HOST sh %s\n", path,
		remote_word(base[0] == '-' ? rel : base, name, sizeof name));
	fprintf(out, "  stream over ssh:  ssh root@HOST sh -s < %s\n", path);
	fprintf(out, "  curl | sh:        curl -fsSL %s | KEXE_SHA256=%s sh\n", u,
		res->bundle_sha256);
	fprintf(out, "  wget | sh:        wget -qO- %s | KEXE_SHA256=%s sh\n", u,
		res->bundle_sha256);
	if (res->file_sha256[0]) {
		/* sha256sum -c reads "SUM  NAME": one quoted word, so no part of the name is ever
		 * shell syntax (and printf, unlike dash's echo, leaves backslashes alone) */
		snprintf(sumline, sizeof sumline, "%s  %s", res->file_sha256, base);
		quoted(sumline, sumword, sizeof sumword);
		arg_word(base, name, sizeof name);
		fprintf(
		    out,
		    "  pinned download:  curl -fsSLo %s %s && printf '%%s\\n' %s | sha256sum -c "
		    "&& sh %s\n",
		    name, u, sumword, name);
	}
	fprintf(out, "  bundle options go after sh -s --, e.g. ... | sh -s -- --dry-run\n");
}
