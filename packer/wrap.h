/* The shell form of a bundle (`kexe pack --format sh`, `kexe wrap`): a POSIX sh script with
 * the binary bundle appended, which runs as a file (`sh boot.sh`) and from a pipe
 * (`curl ... | sh`); and the one-liners printed after a bundle is written. docs/ONE-LINERS.md
 * describes both for users. */
#ifndef KEXE_WRAP_H
#define KEXE_WRAP_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "sha256.h"

/* Bytes of '#' lines between the script's last line and the bundle, at least. A shell reading
 * its script from a pipe may have read up to one block past the last line before running it:
 * dash 8 KiB, busybox ash 1 KiB, zsh 8 KiB and ksh93 64 KiB when given the pipe as a file
 * (`zsh <(curl ...)`); bash, mksh, yash and posh read pipes byte by byte. The script skips
 * what is left of the padding with `read`, which stops at each newline, and stops with a
 * message when a shell has read further (docs/ONE-LINERS.md). */
#define KEXE_WRAP_MIN_PADDING (72 * 1024)
/* The bundle starts at a multiple of this in the .sh file, so `dd bs=4096 skip=N` finds it. */
#define KEXE_WRAP_ALIGN 4096

/* What the one-liners and the script's messages say. */
struct wrap_options {
	const char *url; /* where the .sh form will be served; NULL: "URL" in the templates */
	int print_oneliners;
};

/* A bundle just written, as the one-liners describe it. */
struct wrap_result {
	const char *path;
	int shell_form;
	char bundle_sha256[KEXE_SHA256_HEX_SIZE]; /* of the binary bundle (KEXE_SHA256 pins it) */
	char file_sha256[KEXE_SHA256_HEX_SIZE];	  /* of the file at path */
};

/* Refuses a URL that cannot be pasted into a shell command line or the script unquoted
 * (spaces, quotes, $, backslash, control bytes). */
int kexe_wrap_check_url(const char *url, struct kexe_err *err);

/* Writes the shell form of the bundle at bundle_path to output atomically (temporary file in
 * the same directory, fsync, chmod 0755, rename). arch is the bundle's (enum kexe_arch_id).
 * Fills *res (may be NULL). Does not check that bundle_path is a valid bundle. */
int kexe_wrap_file(const char *bundle_path, const char *output, uint32_t arch,
		   const struct wrap_options *opt, struct wrap_result *res, struct kexe_err *err);

/* `kexe wrap BUNDLE -o OUT`: checks that BUNDLE is a valid bundle (trailer, table, stub
 * checksum), then writes its shell form to OUT; prints a summary and, when asked, the
 * one-liners. */
int kexe_wrap(const char *bundle_path, const char *output, const struct wrap_options *opt,
	      struct kexe_err *err);

/* SHA-256 of the whole file at path, as hex. */
int kexe_wrap_hash_file(const char *path, char out[KEXE_SHA256_HEX_SIZE], struct kexe_err *err);

/* Prints on out the ready commands that run the bundle described by res on a host. */
void kexe_wrap_print_oneliners(FILE *out, const struct wrap_result *res, const char *url);

#endif
