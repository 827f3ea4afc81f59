/* A bundle's description as JSON members: `kexe info --json` and `./bundle --info --json`
 * (docs/JSON.md, "info"). */
#ifndef KEXE_INFO_JSON_H
#define KEXE_INFO_JSON_H

#include "format.h"
#include "json.h"

/* Writes the members format_version, arch, file_size, loader_size, payload_size, cmdline,
 * sections and metadata of the validated bundle b (open at fd) into the object open in j.
 * Returns 0, or -1 with err when the cmdline or metadata section cannot be read (nothing is
 * written then). */
int kexe_info_json(struct kexe_json *j, int fd, const struct kexe_bundle *b, struct kexe_err *err);

#endif
