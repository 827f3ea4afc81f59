/* `kexe pack`: inputs in, one bundle out. */
#ifndef KEXE_PACK_H
#define KEXE_PACK_H

#include <stdint.h>

#include "err.h"
#include "format.h"
#include "sha256.h"

#define PACK_MAX_APPEND 32

struct pack_args {
	const char *kernel;
	const char *initrds[KEXE_MAX_INITRDS];
	unsigned n_initrds;
	const char *cmdline; /* NULL: from the kexec tree, else empty */
	const char *kexec_tree;
	const char *name;
	const char *output;
	const char *stub_path; /* testing: use this stub instead of the embedded one */
	int unchecked_kernel;  /* testing: skip the kernel header check */
	uint32_t arch;	       /* --arch: the kernel must be for it (enum kexe_arch_id); 0: any */
	int lz4_level;
	int shell_form;	     /* --format sh: write the .sh form (see wrap.h) */
	const char *url;     /* --url: where the .sh form will be served, for the one-liners */
	int print_oneliners; /* --print-oneliners, or stdout is a terminal */
	const char *uki;     /* --uki: kernel, initrds and command line from this UKI */
	const char *append[PACK_MAX_APPEND]; /* --append: added to the command line, in order */
	unsigned n_append;
	int nixos_anywhere; /* --format nixos-anywhere: the tarball nixos-anywhere --kexec takes */
	int json;	    /* --json: no text on stdout; the caller prints the result as JSON */
};

/* What kexe_pack wrote (for --json), filled when it succeeds. */
struct pack_result {
	const char *format;    /* "kexe" (the binary bundle), "sh" or "nixos-anywhere" */
	uint32_t arch;	       /* enum kexe_arch_id */
	uint64_t file_size;    /* of the file written */
	uint64_t payload_size; /* kernel and initrds before compression */
	unsigned initrds;
	char kernel[96];			  /* e.g. "x86_64 bzImage, boot protocol 2.15" */
	char sha256[KEXE_SHA256_HEX_SIZE];	  /* of the file written */
	char bundle_sha256[KEXE_SHA256_HEX_SIZE]; /* of the binary bundle in it (the pin) */
};

/* Writes the bundle described by a to a->output atomically (temporary file in the same
 * directory, fsync, chmod 0755, rename), after checking the kernel and the command line.
 * Refuses an output path that is one of the inputs. Without a->json, prints a summary on
 * stdout and, when a->print_oneliners, the commands that run the bundle on a host. Fills *res
 * (may be NULL; with a->json its SHA-256 members too) when it succeeds. */
int kexe_pack(const struct pack_args *a, struct pack_result *res, struct kexe_err *err);

/* `kexe pack --json`: one JSON document on stdout for the outcome rc of kexe_pack (docs/JSON.md);
 * returns rc. */
int kexe_pack_json(const struct pack_args *a, const struct pack_result *res, int rc,
		   const struct kexe_err *err);

#endif
